// validator_failure: a failed check fires (signature validator:category); a passed one does not.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("validator failure detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("fires on failed checks only", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("validator_check", { validator: "json_schema", status: "passed" }),
      ev("validator_check", { validator: "json_schema", status: "failed", category: "format", severity: "error" }),
      ev("validator_check", { validator: "policy", status: "failed" }),
    ]);
    expect(ofClass(findings, "validator_failure").map((f) => [f.signature, f.severity])).toEqual([
      ["json_schema:format", "high"],
      ["policy:failed", "medium"],
    ]);
  });
});
