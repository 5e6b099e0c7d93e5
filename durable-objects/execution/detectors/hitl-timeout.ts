// hitl_timeout: a human did not answer in time: an explicit `timeout` response, or a wait longer
// than the request's SLA (sla_seconds, else the project's default SLA).
import { cleanSignaturePart } from "./text.ts";
import { defineDetector } from "./types.ts";

export const hitlTimeoutDetector = defineDetector<null>({
  failureClass: "hitl_timeout",
  eventTypes: ["human_intervention"],
  initialState: () => null,
  revive: () => null,
  observe(event, ctx) {
    if (event.type !== "human_intervention") return null;
    const agent = cleanSignaturePart(event.agent ?? "agent", 64);
    if (event.response_kind === "timeout") {
      return { signature: `${agent}:timeout`, detail: { request_id: event.request_id, event_id: event.id } };
    }
    const sla = event.sla_seconds ?? ctx.settings.hitl_timeout.default_sla_seconds;
    if (sla === null || event.wait_duration_ms === undefined || event.wait_duration_ms <= sla * 1000) return null;
    return {
      signature: `${agent}:sla_breach`,
      detail: {
        request_id: event.request_id,
        sla_seconds: sla,
        waited_seconds: Math.round(event.wait_duration_ms / 1000),
        event_id: event.id,
      },
    };
  },
});
