// hitl_timeout: an explicit timeout, or a wait beyond the SLA (and not at it).
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("HITL timeout detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("fires on a timeout response and on an SLA breach, not on a wait at the SLA", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const hitl = (fields: Record<string, unknown>) => ev("human_intervention", { agent: "refund-approver", request_id: crypto.randomUUID(), ...fields });
    const findings = await findingsAfter(project, id, [
      hitl({ response_kind: "approved", wait_duration_ms: 60_000, sla_seconds: 60 }),
      hitl({ response_kind: "approved", wait_duration_ms: 60_001, sla_seconds: 60 }),
      hitl({ response_kind: "timeout" }),
    ]);
    expect(ofClass(findings, "hitl_timeout").map((f) => f.signature)).toEqual(["refund-approver:sla_breach", "refund-approver:timeout"]);
  });

  it("does not fire on prompt answers without an SLA", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("human_intervention", { request_id: "r1", response_kind: "rejected", wait_duration_ms: 10_000_000 }),
    ]);
    expect(ofClass(findings, "hitl_timeout")).toEqual([]);
  });
});
