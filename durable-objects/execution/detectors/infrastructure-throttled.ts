// infrastructure_throttled: the run was throttled: an infrastructure_event (rate limit, quota,
// open circuit breaker or another reason) or an LLM call that failed as rate_limited or
// quota_exhausted. Signature: provider and reason.
import { cleanSignaturePart } from "./text.ts";
import { defineDetector } from "./types.ts";

type State = Record<string, number>;
const THROTTLE_ERROR_CLASSES = new Set(["rate_limited", "quota_exhausted"]);

export const infrastructureThrottledDetector = defineDetector<State>({
  failureClass: "infrastructure_throttled",
  eventTypes: ["infrastructure_event", "llm_call"],
  initialState: () => ({}),
  revive: (stored) => stored as State,
  observe(event, ctx) {
    let provider: string | undefined;
    let reason: string;
    if (event.type === "infrastructure_event") {
      provider = event.provider;
      reason = event.reason.toLowerCase().replace(/[^a-z0-9]+/g, "_");
    } else if (event.type === "llm_call" && event.status === "error" && THROTTLE_ERROR_CLASSES.has(event.error?.class ?? "")) {
      provider = event.provider;
      reason = event.error!.class!;
    } else {
      return null;
    }
    const signature = `${cleanSignaturePart(provider ?? "unknown", 64)}:${cleanSignaturePart(reason, 64)}`;
    const seen = (ctx.state[signature] ?? 0) + 1;
    if (signature in ctx.state || Object.keys(ctx.state).length < 128) {
      ctx.state[signature] = seen;
      ctx.touch();
    }
    if (seen < ctx.settings.infrastructure_throttled.min_events) return null;
    return { signature, detail: { events: seen, event_id: event.id } };
  },
});
