// crash: fires on status `crashed` only; the signature survives line-number and id changes.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, newExecutionId, ofClass } from "../../../test/helpers.ts";
import { crashSignature } from "./crash.ts";

const pythonStack = (line: number) => `Traceback (most recent call last):
  File "/app/agent.py", line ${line}, in run_agent
    plan = plan_step(state)
  File "/app/planner.py", line ${line + 7}, in plan_step
    buf = bytearray(n)
MemoryError`;

describe("crash detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("fires on a crashed run with a normalised signature from the innermost frames", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("execution_started"),
      ev("execution_finished", { status: "crashed", error: { type: "MemoryError", stack: pythonStack(42) } }),
    ]);
    expect(ofClass(findings, "crash").map((f) => f.signature)).toEqual(["MemoryError@plan_step←run_agent"]);
  });

  it("does not fire on failed, cancelled or completed runs", async ({ expect }) => {
    for (const status of ["failed", "cancelled", "completed"]) {
      const id = newExecutionId();
      const ev = eventFactory(id);
      const findings = await findingsAfter(project, id, [ev("execution_finished", { status, error: { type: "ValueError" } })]);
      expect(ofClass(findings, "crash")).toEqual([]);
    }
  });

  it("uses the client's crash_signature when sent", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [ev("execution_finished", { status: "crashed", crash_signature: "oom-in-planner" })]);
    expect(ofClass(findings, "crash")[0]?.signature).toBe("oom-in-planner");
  });

  it("gives the same signature whatever the line numbers, addresses and ids", ({ expect }) => {
    expect(crashSignature({ type: "MemoryError", stack: pythonStack(10) })).toBe(crashSignature({ type: "MemoryError", stack: pythonStack(99) }));
    const js = (l: number) => `TypeError: x is undefined\n    at parseReply (/srv/app/reply.js:${l}:13)\n    at async runTool (/srv/app/tools.js:${l * 2}:5)`;
    expect(crashSignature({ type: "TypeError", stack: js(3) })).toBe("TypeError@parseReply←runTool");
    expect(crashSignature({ type: "TypeError", stack: js(300) })).toBe("TypeError@parseReply←runTool");
    expect(crashSignature({ type: "KeyError" })).toBe("KeyError");
  });
});
