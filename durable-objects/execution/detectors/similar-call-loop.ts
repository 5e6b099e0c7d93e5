// similar_call_loop: the call's newest turns are nearly the same (character 3-gram cosine at or
// above `similarity`) as those of at least `min_similar - 1` of the last `window` calls. Comparing
// only the newest turns (text.ts) keeps growing conversations clean. The persisted state is the
// window's texts; their vectors are rebuilt in memory after a wake-up.
import type { GramVector } from "./text.ts";
import { agentModelSignature, cleanSignaturePart, cosine, newestTurnText, trigramVector } from "./text.ts";
import { defineDetector } from "./types.ts";

/** Texts are capped so the window's cost and size stay bounded whatever the prompt size. */
const MAX_COMPARED_CHARS = 2048;

class SimilarityWindow {
  readonly texts: string[];
  readonly #vectors: GramVector[];

  constructor(texts: string[] = []) {
    this.texts = texts;
    this.#vectors = texts.map(trigramVector);
  }

  /** Counts the window's entries similar to `text`, then adds it (dropping the oldest past `size`). */
  compareAndAdd(text: string, threshold: number, size: number): number {
    const vector = trigramVector(text);
    let similar = 0;
    for (const other of this.#vectors) if (cosine(vector, other) >= threshold) similar++;
    this.texts.push(text);
    this.#vectors.push(vector);
    while (this.texts.length > size) {
      this.texts.shift();
      this.#vectors.shift();
    }
    return similar;
  }

  toJSON(): string[] {
    return this.texts;
  }
}

export const similarCallLoopDetector = defineDetector<SimilarityWindow | null>({
  failureClass: "similar_call_loop",
  eventTypes: ["llm_call"],
  initialState: () => null,
  revive: (stored) => (Array.isArray(stored) ? new SimilarityWindow(stored as string[]) : null),
  observe(event, ctx) {
    if (event.type !== "llm_call") return null;
    const settings = ctx.settings.similar_call_loop;
    const text = newestTurnText(event).slice(0, MAX_COMPARED_CHARS);
    if (text.length < settings.min_chars) return null;
    const window = (ctx.state ??= new SimilarityWindow());
    const similar = window.compareAndAdd(text, settings.similarity, settings.window);
    ctx.touch();
    if (similar + 1 < settings.min_similar) return null;
    return {
      signature: cleanSignaturePart(agentModelSignature(event.agent, event.model), 160),
      detail: { similar_calls: similar + 1, similarity: settings.similarity, window: settings.window, event_id: event.id },
    };
  },
});
