// tool_failure: failed calls fire with signature tool:error type; successful ones never do.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("tool failure detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("does not fire on successful tool calls", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [ev("tool_call", { tool: "search", status: "ok", result: { hits: 2 } })]);
    expect(ofClass(findings, "tool_failure")).toEqual([]);
  });

  it("fires per failure, grouped by tool and error type", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("tool_call", { tool: "search_flights", status: "failed", error: { type: "TimeoutError", message: "took 30s" } }),
      ev("tool_call", { tool: "search_flights", status: "failed", error: { type: "TimeoutError", message: "took 31s" } }),
      ev("tool_call", { tool: "book", status: "failed" }),
    ]);
    expect(ofClass(findings, "tool_failure").map((f) => [f.signature, f.occurrences])).toEqual([
      ["search_flights:TimeoutError", 2],
      ["book:error", 1],
    ]);
  });
});
