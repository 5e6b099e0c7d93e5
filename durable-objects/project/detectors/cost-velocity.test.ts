// cost_velocity (project): a workload whose mean cost per execution doubled against the prior
// hour fires; 1.9x does not; other workloads and thin windows never count.
import { describe, it } from "vitest";
import { MINUTE, T0, at, createProject, listGroups, llmCall, sendAll } from "../../../test/helpers.ts";

function runs(workload: string, start: number, costs: readonly number[]) {
  return costs.flatMap((cost, i) => {
    const id = `${workload}-${start}-${i}-${crypto.randomUUID().slice(0, 6)}`;
    return [at(start + i * MINUTE, id, "execution_started", { name: workload }), at(start + i * MINUTE + 1000, id, "llm_call", llmCall({ cost_usd: cost }))];
  });
}

describe("cost velocity detector (mean cost per workload)", () => {
  it("fires when the mean doubles against the prior window", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [...runs("claims", T0, [0.01, 0.01, 0.01, 0.01, 0.01]), ...runs("claims", T0 + 61 * MINUTE, [0.02, 0.02, 0.02, 0.02, 0.02])]);
    const groups = await listGroups(p, "?failure_class=cost_velocity");
    expect(groups.map((g) => g.signature)).toEqual(["mean_cost_ratio:claims"]);
  });

  it("stays quiet at 1.9x, with too few runs, and across workloads", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [
      ...runs("claims", T0, [0.01, 0.01, 0.01, 0.01, 0.01]),
      ...runs("claims", T0 + 61 * MINUTE, [0.019, 0.019, 0.019, 0.019, 0.019]),
      ...runs("triage", T0, [0.01, 0.01]),
      ...runs("triage", T0 + 61 * MINUTE, [0.5, 0.5]),
      ...runs("cheap", T0, [0.01, 0.01, 0.01, 0.01, 0.01]),
      ...runs("pricey", T0 + 61 * MINUTE, [0.5, 0.5, 0.5, 0.5, 0.5]),
    ]);
    expect(await listGroups(p, "?failure_class=cost_velocity")).toEqual([]);
  });
});
