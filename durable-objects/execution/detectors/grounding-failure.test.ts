// grounding_failure: passed=false fires; a higher-is-better running mean fires only below 0.5.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("grounding failure detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  const score = (ev: ReturnType<typeof eventFactory>, value: number, extra: Record<string, unknown> = {}) =>
    ev("eval_score", { evaluator: "ragas", metric: "faithfulness", score: value, ...extra });

  it("fires when an evaluation did not pass", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [score(ev, 0.9, { passed: false })]);
    expect(ofClass(findings, "grounding_failure").map((f) => f.signature)).toEqual(["ragas:faithfulness"]);
  });

  it("keeps quiet while the mean is at or above 0.5 and fires once it drops below", async ({ expect }) => {
    const quiet = newExecutionId();
    const q = eventFactory(quiet);
    expect(ofClass(await findingsAfter(project, quiet, [score(q, 0.6), score(q, 0.4)]), "grounding_failure")).toEqual([]);
    const low = newExecutionId();
    const l = eventFactory(low);
    const fired = ofClass(await findingsAfter(project, low, [score(l, 0.6), score(l, 0.45), score(l, 0.3)]), "grounding_failure");
    expect(fired.map((f) => [f.signature, f.occurrences])).toEqual([["ragas:faithfulness", 1]]);
  });

  it("ignores means of lower-is-better scores and passed evaluations", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      score(ev, 0.1, { metric: "hallucination_rate", higher_is_better: false }),
      score(ev, 0.1, { passed: true }),
    ]);
    expect(ofClass(findings, "grounding_failure")).toEqual([]);
  });
});
