// D1's executions rows travel through the project object: a run without findings sets no alarm of
// its own; the Worker hands each run's newest row to the project object, which writes the rows of
// many runs in one D1 batch; a D1 outage delays rows but loses none; and an older row never
// overwrites a newer one, whichever writer (project rows or an execution's outbox) comes last.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { createProject, eventFactory, flushExecutionRows, ingest, llmCall, newExecutionId } from "../../test/helpers.ts";
import { settleProjectHandoffs } from "../../workers/ingest/project-handoff.ts";
import type { ExecutionSnapshot } from "../shared/outbox.ts";
import { executionRowStatements } from "../shared/outbox.ts";

const executionStub = (projectId: string, executionId: string) => env.EXECUTION.get(env.EXECUTION.idFromName(`${projectId}:${executionId}`));
const projectStub = (projectId: string) => env.PROJECT.get(env.PROJECT.idFromName(projectId));

async function d1Row(projectId: string, executionId: string) {
  return env.DB.prepare("SELECT status, events, findings, llm_calls, run_status FROM executions WHERE project_id = ? AND execution_id = ?")
    .bind(projectId, executionId)
    .first<{ status: string; events: number; findings: number; llm_calls: number; run_status: string }>();
}

async function waitingRows(projectId: string): Promise<{ execution_id: string; events: number }[]> {
  return runInDurableObject(projectStub(projectId), (_o, state) =>
    state.storage.sql.exec<{ execution_id: string; events: number }>("SELECT execution_id, events FROM execution_rows ORDER BY execution_id").toArray(),
  );
}

describe("executions rows through the project object", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("a run without findings sets no alarm; its newest row reaches D1 in the project's batch", async ({ expect }) => {
    const a = newExecutionId("rows-a");
    const b = newExecutionId("rows-b");
    const evA = eventFactory(a);
    const evB = eventFactory(b);
    await ingest(project.ingest_key, [evA("execution_started", { name: "quiet" }), evA("llm_call", llmCall()), evB("execution_started", { name: "other" })]);
    await ingest(project.ingest_key, [evA("llm_call", llmCall({ prompt: "a different question" })), evA("execution_finished", { status: "completed" })]);
    await settleProjectHandoffs();
    const alarm = await runInDurableObject(executionStub(project.project_id, a), (_o, state) => state.storage.getAlarm());
    expect(alarm).toBeNull();
    // Held by the project object, one row per run (the newest), not yet in D1.
    expect(await waitingRows(project.project_id)).toEqual([
      { execution_id: a, events: 4 },
      { execution_id: b, events: 1 },
    ]);
    expect(await d1Row(project.project_id, a)).toBeNull();
    await flushExecutionRows(project.project_id);
    expect(await d1Row(project.project_id, a)).toEqual({ status: "completed", events: 4, findings: 0, llm_calls: 2, run_status: "completed" });
    expect(await d1Row(project.project_id, b)).toMatchObject({ status: "running", events: 1 });
    expect(await waitingRows(project.project_id)).toEqual([]);
  });

  it("keeps rows while D1 fails and writes them once it recovers", async ({ expect }) => {
    const id = newExecutionId("rows-outage");
    const ev = eventFactory(id);
    await ingest(project.ingest_key, [ev("execution_started"), ev("execution_finished", { status: "completed" })]);
    await env.DB.exec("ALTER TABLE executions RENAME TO executions_offline");
    try {
      await flushExecutionRows(project.project_id);
      expect(await waitingRows(project.project_id)).toEqual([{ execution_id: id, events: 2 }]);
      const timer = await runInDurableObject(projectStub(project.project_id), (_o, state) =>
        state.storage.sql.exec<{ attempts: number; due_at: number }>("SELECT attempts, due_at FROM timers WHERE kind = 'rows'").one(),
      );
      expect(timer.attempts).toBe(1);
      expect(timer.due_at).toBeGreaterThan(Date.now());
    } finally {
      await env.DB.exec("ALTER TABLE executions_offline RENAME TO executions");
    }
    await flushExecutionRows(project.project_id);
    expect(await d1Row(project.project_id, id)).toMatchObject({ status: "completed", events: 2 });
    expect(await waitingRows(project.project_id)).toEqual([]);
  });

  it("never lets an older row overwrite a newer one in D1", async ({ expect }) => {
    const id = newExecutionId("rows-order");
    const row = (events: number, findings: number, status: string): ExecutionSnapshot => ({
      project_id: project.project_id,
      execution_id: id,
      name: null,
      tenant_id: null,
      parent_execution_id: null,
      status,
      started_at: 1,
      last_event_at: 2,
      finished_at: null,
      events,
      findings,
    });
    await env.DB.batch(executionRowStatements(env.DB, [row(5, 1, "completed")]));
    await env.DB.batch(executionRowStatements(env.DB, [row(4, 1, "running")]));
    expect(await d1Row(project.project_id, id)).toMatchObject({ status: "completed", events: 5, findings: 1 });
    // Same events, fewer findings: older too (a deadline finding adds a finding without an event).
    await env.DB.batch(executionRowStatements(env.DB, [row(5, 0, "running")]));
    expect(await d1Row(project.project_id, id)).toMatchObject({ status: "completed", findings: 1 });
    await env.DB.batch(executionRowStatements(env.DB, [row(5, 2, "timeout")]));
    expect(await d1Row(project.project_id, id)).toMatchObject({ status: "timeout", findings: 2 });
  });

  it("loses no run's row when concurrent requests coalesce their handoffs", async ({ expect }) => {
    const fresh = await createProject();
    const ids = Array.from({ length: 8 }, (_, i) => newExecutionId(`rows-concurrent-${i}`));
    await Promise.all(ids.map((id) => ingest(fresh.ingest_key, [eventFactory(id)("execution_started")])));
    await settleProjectHandoffs();
    expect((await waitingRows(fresh.project_id)).map((r) => r.execution_id).sort()).toEqual([...ids].sort());
  });

  it("writes many runs' rows in one flush, five to a statement", async ({ expect }) => {
    const ids = Array.from({ length: 12 }, (_, i) => newExecutionId(`rows-many-${i}`));
    await ingest(
      project.ingest_key,
      ids.map((id) => eventFactory(id)("execution_started")),
    );
    await flushExecutionRows(project.project_id);
    const { results } = await env.DB.prepare(`SELECT count(*) AS n FROM executions WHERE project_id = ? AND execution_id IN (${ids.map(() => "?").join(",")})`)
      .bind(project.project_id, ...ids)
      .all<{ n: number }>();
    expect(results[0]!.n).toBe(12);
  });
});
