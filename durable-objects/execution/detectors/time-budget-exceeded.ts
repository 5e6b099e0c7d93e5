// time_budget_exceeded: the run went past its wall-clock budget (policy.max_wall_seconds, else the
// project setting). Seen from event timestamps, from a `timeout` finish, from duration_ms, and from
// the object's deadline alarm when a stalled run sends nothing more (see execution-object.ts).
import { cleanSignaturePart } from "./text.ts";
import { defineDetector } from "./types.ts";

interface State {
  fired: boolean;
}

export function timeBudgetSignature(name: string | null): string {
  return cleanSignaturePart(name ?? "execution");
}

export const timeBudgetExceededDetector = defineDetector<State>({
  failureClass: "time_budget_exceeded",
  eventTypes: [
    "execution_started",
    "execution_finished",
    "llm_call",
    "tool_call",
    "validator_check",
    "checkpoint",
    "agent_handoff",
    "human_intervention",
    "eval_score",
    "infrastructure_event",
  ],
  initialState: () => ({ fired: false }),
  revive: (stored) => stored as State,
  observe(event, ctx) {
    if (ctx.state.fired) return null;
    const budget = ctx.execution.maxWallSeconds;
    const elapsedMs = event.ts - ctx.execution.startedAt;
    const finishedTimeout = event.type === "execution_finished" && event.status === "timeout";
    const reportedMs = event.type === "execution_finished" ? (event.duration_ms ?? 0) : 0;
    const overBudget = budget !== null && Math.max(elapsedMs, reportedMs) > budget * 1000;
    if (!finishedTimeout && !overBudget) return null;
    ctx.state.fired = true;
    ctx.touch();
    return {
      signature: timeBudgetSignature(ctx.execution.name),
      detail: {
        budget_seconds: budget,
        elapsed_seconds: Math.round(Math.max(elapsedMs, reportedMs) / 1000),
        event_id: event.id,
        reason: finishedTimeout ? "finished_with_timeout" : "over_budget",
      },
    };
  },
});
