// cost_velocity, the per-run half: the execution's cost went past its absolute budget
// (policy.max_cost_usd). Cost is the event's cost_usd when sent, else tokens times the model's price.
// The other half, a workload's mean cost rising against the prior window, needs many runs and lives
// in the project object (durable-objects/project/detectors/cost-velocity.ts).
import { callCostUsd } from "../../../workers/core/model-prices.ts";
import { cleanSignaturePart } from "./text.ts";
import { defineDetector } from "./types.ts";

interface State {
  cost: number;
  fired: boolean;
}

export const costBudgetDetector = defineDetector<State>({
  failureClass: "cost_velocity",
  eventTypes: ["llm_call"],
  initialState: () => ({ cost: 0, fired: false }),
  revive: (stored) => stored as State,
  observe(event, ctx) {
    if (event.type !== "llm_call") return null;
    const cost = callCostUsd(event, ctx.settings.cost_velocity.prices);
    if (cost === null || cost === 0) return null;
    ctx.state.cost += cost;
    ctx.touch();
    const budget = ctx.execution.maxCostUsd;
    if (budget === null || ctx.state.fired || ctx.state.cost <= budget) return null;
    ctx.state.fired = true;
    return {
      signature: `budget:${cleanSignaturePart(ctx.execution.name ?? "execution")}`,
      detail: { budget_usd: budget, cost_usd: Math.round(ctx.state.cost * 1e6) / 1e6, event_id: event.id },
    };
  },
});
