// time_budget_exceeded: both sides of the budget, a `timeout` finish, and the deadline alarm for a
// run that stalls and sends nothing more.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, getJson, ingest, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("time budget detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("does not fire at the budget and fires past it", async ({ expect }) => {
    const start = Date.UTC(2026, 10, 1);
    const under = newExecutionId();
    const u = eventFactory(under, start);
    expect(
      ofClass(
        await findingsAfter(project, under, [
          { ...u("execution_started", { name: "intake", policy: { max_wall_seconds: 60 } }), timestamp: start },
          { ...u("tool_call", { tool: "t", status: "ok" }), timestamp: start + 60_000 },
        ]),
        "time_budget_exceeded",
      ),
    ).toEqual([]);
    const over = newExecutionId();
    const o = eventFactory(over, start);
    const findings = await findingsAfter(project, over, [
      { ...o("execution_started", { name: "intake", policy: { max_wall_seconds: 60 } }), timestamp: start },
      { ...o("tool_call", { tool: "t", status: "ok" }), timestamp: start + 60_001 },
      { ...o("tool_call", { tool: "t", status: "ok" }), timestamp: start + 90_000 },
    ]);
    const fired = ofClass(findings, "time_budget_exceeded");
    expect(fired.map((f) => f.signature)).toEqual(["intake"]);
    expect(fired[0]?.occurrences).toBe(1);
  });

  it("fires on an execution that finished with status timeout", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [ev("execution_started"), ev("execution_finished", { status: "timeout" })]);
    expect(ofClass(findings, "time_budget_exceeded").map((f) => f.signature)).toEqual(["execution"]);
  });

  it("fires from the deadline alarm when a run stalls past its budget, on the server's clock", async ({ expect }) => {
    const id = newExecutionId();
    // The client's clock says the run started an hour ago; the deadline still counts from arrival.
    const { status } = await ingest(project.ingest_key, [
      { id: `${id}-1`, execution_id: id, type: "execution_started", name: "stalled", timestamp: Date.now() - 3_600_000, policy: { max_wall_seconds: 10 } },
    ]);
    expect(status).toBe(200);
    const stub = env.EXECUTION.get(env.EXECUTION.idFromName(`${project.project_id}:${id}`));
    await runDurableObjectAlarm(stub);
    const early = await getJson<{ findings: unknown[] }>(`/v1/executions/${id}`, project.read_key);
    expect(early.body.findings).toEqual([]);
    // Ten seconds of server time later, nothing more has arrived.
    await runInDurableObject(stub, (_obj, state) => {
      state.storage.sql.exec("UPDATE execution SET started_arrival = started_arrival - 10001");
      state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE kind = 'deadline'");
    });
    await evictDurableObject(stub);
    await runInDurableObject(stub, async (_obj, state) => state.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(stub);
    const after = await getJson<{ findings: { failure_class: string; detail: { reason: string } }[] }>(`/v1/executions/${id}`, project.read_key);
    expect(after.body.findings.map((f) => [f.failure_class, f.detail.reason])).toEqual([["time_budget_exceeded", "no_events_before_deadline"]]);
  });

  it("sets no deadline for runs that never sent execution_started", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id, Date.now() - 7_200_000);
    await ingest(project.ingest_key, [ev("tool_call", { tool: "t", status: "ok" })]);
    const stub = env.EXECUTION.get(env.EXECUTION.idFromName(`${project.project_id}:${id}`));
    const timers = await runInDurableObject(stub, (_obj, state) => state.storage.sql.exec("SELECT kind FROM timers WHERE kind = 'deadline'").toArray());
    expect(timers).toEqual([]);
  });
});
