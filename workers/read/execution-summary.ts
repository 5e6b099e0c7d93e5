// A first run summary built from what the execution object returns. (The triage-loop work extends
// it with metrics over the whole run and a narrative.)
import type { ExecutionView } from "../../durable-objects/execution/rpc-types.ts";
import { LOOP_CLASSES } from "../core/loop-classes.ts";

export function summarizeExecution(view: ExecutionView) {
  const stuck = view.findings.some((f) => LOOP_CLASSES.has(f.failure_class));
  const status = view.execution.status === "running" && stuck ? "stuck" : view.execution.status;
  return {
    status,
    events: view.execution.event_count,
    steps: view.execution.steps,
    findings: view.findings.length,
    halted: view.halt !== null,
    problems: view.findings.map((f) => ({ failure_class: f.failure_class, signature: f.signature, severity: f.severity, group_id: f.group_id })),
  };
}
