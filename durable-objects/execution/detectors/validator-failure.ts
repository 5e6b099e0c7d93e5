// validator_failure: an output validator rejected the agent's work.
import type { Severity } from "../../../workers/core/failure-classes.ts";
import { SEVERITIES } from "../../../workers/core/failure-classes.ts";
import { cleanSignaturePart } from "./text.ts";
import { defineDetector } from "./types.ts";

function asSeverity(value: string | undefined): Severity | undefined {
  const lower = value?.toLowerCase();
  if (lower === "error") return "high";
  if (lower === "warning" || lower === "warn") return "low";
  return (SEVERITIES as readonly string[]).includes(lower ?? "") ? (lower as Severity) : undefined;
}

export const validatorFailureDetector = defineDetector<null>({
  failureClass: "validator_failure",
  eventTypes: ["validator_check"],
  initialState: () => null,
  revive: () => null,
  observe(event) {
    if (event.type !== "validator_check" || event.status !== "failed") return null;
    const detection = {
      signature: `${cleanSignaturePart(event.validator, 64)}:${cleanSignaturePart(event.category ?? "failed", 64)}`,
      detail: { validator: event.validator, event_id: event.id },
    };
    const severity = asSeverity(event.severity);
    return severity ? { ...detection, severity } : detection;
  },
});
