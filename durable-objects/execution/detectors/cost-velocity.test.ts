// cost_velocity (per run): spend up to the budget is fine; the first call past it fires once.
// Costs come from cost_usd when sent, else from tokens and the model's price.
import { describe, it } from "vitest";
import { callCostUsd } from "../../../workers/core/model-prices.ts";
import { createProject, eventFactory, findingsAfter, llmCall, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("cost budget (cost_velocity per run)", () => {
  it("prices calls from tokens when no cost is sent", ({ expect }) => {
    expect(callCostUsd({ model: "gpt-4o-2024-08-06", input_tokens: 1_000_000, output_tokens: 100_000 })).toBeCloseTo(3.5);
    expect(callCostUsd({ model: "gpt-4o", cost_usd: 0.02, input_tokens: 1_000_000 })).toBe(0.02);
    expect(callCostUsd({ model: "my-finetune", input_tokens: 10 })).toBeNull();
    expect(callCostUsd({ model: "my-finetune", input_tokens: 1_000_000 }, { "my-finetune": { input: 2, output: 0 } })).toBe(2);
  });

  it("stays quiet at the budget and fires once past it", async ({ expect }) => {
    const project = await createProject();
    const at = newExecutionId();
    const a = eventFactory(at);
    const start = (ev: typeof a) => ev("execution_started", { name: "claims", policy: { max_cost_usd: 0.05 } });
    expect(ofClass(await findingsAfter(project, at, [start(a), a("llm_call", llmCall({ cost_usd: 0.03 })), a("llm_call", llmCall({ cost_usd: 0.02 }))]), "cost_velocity")).toEqual([]);
    const over = newExecutionId();
    const o = eventFactory(over);
    const fired = ofClass(
      await findingsAfter(project, over, [
        start(o),
        o("llm_call", llmCall({ cost_usd: 0.03 })),
        o("llm_call", llmCall({ input_tokens: 10_000 })), // 0.025 at gpt-4o prices
        o("llm_call", llmCall({ cost_usd: 0.5 })),
      ]),
      "cost_velocity",
    );
    expect(fired.map((f) => [f.signature, f.occurrences])).toEqual([["budget:claims", 1]]);
  });
});
