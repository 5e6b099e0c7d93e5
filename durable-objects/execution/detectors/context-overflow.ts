// context_overflow: a call used `warn_ratio` (default 90 %) or more of its model's context window
// (`near_limit`), or all of it, or the provider refused it as too long (`exceeded`).
import { cleanSignaturePart } from "./text.ts";
import { contextWindowFor } from "./model-context-windows.ts";
import { defineDetector } from "./types.ts";

export const contextOverflowDetector = defineDetector<null>({
  failureClass: "context_overflow",
  eventTypes: ["llm_call"],
  initialState: () => null,
  revive: () => null,
  observe(event, ctx) {
    if (event.type !== "llm_call") return null;
    const model = cleanSignaturePart(event.model, 128);
    if (event.status === "error" && event.error?.class === "context_length_exceeded") {
      return { signature: `${model}:exceeded`, severity: "high", detail: { reason: "provider_refused", event_id: event.id } };
    }
    if (event.input_tokens === undefined) return null;
    const settings = ctx.settings.context_overflow;
    const window = contextWindowFor(event.model, settings.custom_windows);
    if (window === null) return null;
    const used = event.input_tokens + (event.output_tokens ?? 0);
    const ratio = used / window;
    if (ratio < settings.warn_ratio) return null;
    const exceeded = ratio >= 1;
    return {
      signature: `${model}:${exceeded ? "exceeded" : "near_limit"}`,
      severity: exceeded ? "high" : "medium",
      detail: { tokens: used, context_window: window, ratio: Math.round(ratio * 1000) / 1000, event_id: event.id },
    };
  },
});
