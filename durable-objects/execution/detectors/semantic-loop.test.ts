// semantic_loop: the same canonical checkpoint state 3 times fires (key order does not matter);
// twice does not; empty states never count.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("semantic loop detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("does not fire on the same state twice", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("checkpoint", { name: "triage", state: { step: "classify", ticket: 7 } }),
      ev("checkpoint", { name: "triage", state: { ticket: 7, step: "classify" } }),
    ]);
    expect(ofClass(findings, "semantic_loop")).toEqual([]);
  });

  it("fires on the same canonical state a third time", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("checkpoint", { name: "triage", state: { step: "classify", ticket: 7 } }),
      ev("checkpoint", { name: "triage", state: { step: "route", ticket: 7 } }),
      ev("checkpoint", { name: "triage", state: { ticket: 7, step: "classify" } }),
      ev("checkpoint", { name: "triage", state: { step: "classify", ticket: 7 } }),
    ]);
    expect(ofClass(findings, "semantic_loop").map((f) => f.signature)).toEqual(["triage"]);
  });

  it("never counts empty states", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [{}, {}, [], [], null, null, ""].map((state) => ev("checkpoint", { name: "x", state })));
    expect(ofClass(findings, "semantic_loop")).toEqual([]);
  });
});
