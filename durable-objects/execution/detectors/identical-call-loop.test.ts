// identical_call_loop: the same model and messages sent more than 3 times (default) fires; 3 do not.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, llmCall, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("identical call loop detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  const messages = [
    { role: "system", content: "You are a planner." },
    { role: "user", content: "Find me a flight to Lisbon." },
  ];

  it("does not fire on 3 identical calls", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const calls = Array.from({ length: 3 }, () => ev("llm_call", llmCall({ agent: "planner", messages })));
    expect(ofClass(await findingsAfter(project, id, calls), "identical_call_loop")).toEqual([]);
  });

  it("fires on the 4th identical call, signature agent/model", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const calls = Array.from({ length: 5 }, () => ev("llm_call", llmCall({ agent: "planner", messages })));
    const fired = ofClass(await findingsAfter(project, id, calls), "identical_call_loop");
    expect(fired.map((f) => [f.signature, f.occurrences])).toEqual([["planner/gpt-4o", 2]]);
  });

  it("does not count the same messages to another model", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const calls = ["gpt-4o", "gpt-4o", "gpt-4o-mini", "gpt-4o-mini"].map((model) => ev("llm_call", llmCall({ model, messages })));
    expect(ofClass(await findingsAfter(project, id, calls), "identical_call_loop")).toEqual([]);
  });

  it("honours a project's max_repeats", async ({ expect }) => {
    const strict = await createProject("strict");
    const { env } = await import("cloudflare:workers");
    await env.DB.prepare("UPDATE projects SET settings = ? WHERE id = ?")
      .bind(JSON.stringify({ identical_call_loop: { max_repeats: 1 } }), strict.project_id)
      .run();
    const id = newExecutionId();
    const ev = eventFactory(id);
    const calls = Array.from({ length: 2 }, () => ev("llm_call", llmCall({ messages })));
    expect(ofClass(await findingsAfter(strict, id, calls), "identical_call_loop").length).toBe(1);
  });
});
