// similar_call_loop: the agent keeps doing nearly the same thing and getting nearly the same thing
// back. A call counts as similar to an earlier one when both its action (its last assistant turn,
// tool calls included) and its new input (the newest turns, JSON compared by values) reach the
// character 3-gram cosine `similarity`; the detector fires when the call is similar to at least
// `min_similar - 1` of the last `window` calls. New human input (a user turn) starts a new window:
// a person asking again is a conversation, not a stuck agent. Growing history is never compared.
// The persisted state is the window's texts; their vectors are built in memory when first compared.
import type { GramVector } from "./text.ts";
import {
  agentModelSignature,
  cleanSignaturePart,
  cosine,
  hasNewUserTurn,
  jsonValuesText,
  lastActionText,
  newestTurnText,
  trigramVector,
} from "./text.ts";
import { defineDetector } from "./types.ts";

/** Texts are capped so the window's cost and size stay bounded whatever the prompt size. */
const MAX_COMPARED_CHARS = 2048;

interface CallTexts {
  action: string;
  input: string;
}

interface CallVectors {
  action: GramVector | null;
  input: GramVector;
}

const vectorsOf = (t: CallTexts): CallVectors => ({ action: t.action ? trigramVector(t.action) : null, input: trigramVector(t.input) });

class SimilarityWindow {
  readonly calls: CallTexts[];
  /** Built on first comparison: a window that new human input keeps clearing never needs them. */
  readonly #vectors: (CallVectors | undefined)[];

  constructor(calls: CallTexts[] = []) {
    this.calls = calls;
    this.#vectors = calls.map(() => undefined);
  }

  clear(): void {
    this.calls.length = 0;
    this.#vectors.length = 0;
  }

  /** Counts the window's calls similar to `call`, then adds it (dropping the oldest past `size`). */
  compareAndAdd(call: CallTexts, threshold: number, size: number): number {
    let similar = 0;
    let v: CallVectors | undefined;
    for (let i = 0; i < this.calls.length; i++) {
      v ??= vectorsOf(call);
      const other = (this.#vectors[i] ??= vectorsOf(this.calls[i]!));
      const actionSimilar = v.action === null || other.action === null ? v.action === other.action : cosine(v.action, other.action) >= threshold;
      if (actionSimilar && cosine(v.input, other.input) >= threshold) similar++;
    }
    this.calls.push(call);
    this.#vectors.push(v);
    while (this.calls.length > size) {
      this.calls.shift();
      this.#vectors.shift();
    }
    return similar;
  }

  toJSON(): CallTexts[] {
    return this.calls;
  }
}

export const similarCallLoopDetector = defineDetector<SimilarityWindow | null>({
  failureClass: "similar_call_loop",
  eventTypes: ["llm_call"],
  initialState: () => null,
  revive: (stored) => (Array.isArray(stored) ? new SimilarityWindow(stored as CallTexts[]) : null),
  observe(event, ctx) {
    if (event.type !== "llm_call") return null;
    const settings = ctx.settings.similar_call_loop;
    const window = (ctx.state ??= new SimilarityWindow());
    if (hasNewUserTurn(event.messages)) {
      window.clear();
      ctx.touch();
    }
    const input = jsonValuesText(newestTurnText(event)).slice(0, MAX_COMPARED_CHARS);
    if (input.length < settings.min_chars) return null;
    const action = lastActionText(event.messages).slice(0, MAX_COMPARED_CHARS);
    const similar = window.compareAndAdd({ action, input }, settings.similarity, settings.window);
    ctx.touch();
    if (similar + 1 < settings.min_similar) return null;
    return {
      signature: cleanSignaturePart(agentModelSignature(event.agent, event.model), 160),
      detail: { similar_calls: similar + 1, similarity: settings.similarity, window: settings.window, event_id: event.id },
    };
  },
});
