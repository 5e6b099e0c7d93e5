// step_count_exceeded: more LLM and tool calls than the budget allows (policy.max_steps, else the
// project setting). Fires once, on the first step past the budget.
import { cleanSignaturePart } from "./text.ts";
import { defineDetector } from "./types.ts";

interface State {
  fired: boolean;
}

export const stepCountExceededDetector = defineDetector<State>({
  failureClass: "step_count_exceeded",
  eventTypes: ["llm_call", "tool_call"],
  initialState: () => ({ fired: false }),
  revive: (stored) => stored as State,
  observe(event, ctx) {
    const max = ctx.execution.maxSteps;
    if (ctx.state.fired || max === null || ctx.execution.steps <= max) return null;
    ctx.state.fired = true;
    ctx.touch();
    return {
      signature: cleanSignaturePart(ctx.execution.name ?? "execution"),
      detail: { max_steps: max, steps: ctx.execution.steps, event_id: event.id },
    };
  },
});
