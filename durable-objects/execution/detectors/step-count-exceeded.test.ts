// step_count_exceeded: max_steps calls are fine, one more fires (once).
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, llmCall, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("step count detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  const run = (steps: number) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const events = [ev("execution_started", { name: "planner", policy: { max_steps: 3 } })];
    for (let i = 0; i < steps; i++) {
      events.push(i % 2 ? ev("tool_call", { tool: "lookup", status: "ok", arguments: { i } }) : ev("llm_call", llmCall({ prompt: `step ${i}` })));
    }
    return { id, events };
  };

  it("does not fire at max_steps", async ({ expect }) => {
    const { id, events } = run(3);
    expect(ofClass(await findingsAfter(project, id, events), "step_count_exceeded")).toEqual([]);
  });

  it("fires once past max_steps", async ({ expect }) => {
    const { id, events } = run(6);
    const fired = ofClass(await findingsAfter(project, id, events), "step_count_exceeded");
    expect(fired.map((f) => [f.signature, f.occurrences, f.detail.steps])).toEqual([["planner", 1, 4]]);
  });
});
