// semantic_loop: the agent reached the same canonical checkpoint state `min_repeats` or more times
// (default 3) within the last `window` checkpoints: it is going round in circles even if its calls
// differ. Empty states carry no information and never count.
import { CountingWindow, cleanSignaturePart, hash53 } from "./text.ts";
import { defineDetector } from "./types.ts";

/** JSON with object keys sorted, so {a,b} and {b,a} are the same state. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

function isEmptyState(state: unknown): boolean {
  if (state === null || state === undefined || state === "") return true;
  if (Array.isArray(state)) return state.length === 0;
  if (typeof state === "object") return Object.keys(state).length === 0;
  return false;
}

export const semanticLoopDetector = defineDetector<CountingWindow | null>({
  failureClass: "semantic_loop",
  eventTypes: ["checkpoint"],
  initialState: () => null,
  revive: CountingWindow.revive,
  observe(event, ctx) {
    if (event.type !== "checkpoint" || isEmptyState(event.state)) return null;
    const settings = ctx.settings.semantic_loop;
    const name = event.name ?? event.agent ?? "checkpoint";
    const window = (ctx.state ??= new CountingWindow(settings.window));
    const count = window.add(hash53(`${name}\u0000${canonicalJson(event.state)}`));
    ctx.touch();
    if (count < settings.min_repeats) return null;
    return {
      signature: cleanSignaturePart(name),
      detail: { repeats: count, min_repeats: settings.min_repeats, event_id: event.id },
    };
  },
});
