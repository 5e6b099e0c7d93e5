// The execution object's durability: events are stored before the answer, eviction mid-run loses
// nothing and detection continues where it was, a D1 outage delays groups but loses no finding
// (the outbox retries with backoff), and the object's memory does not hold the event history.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { createProject, eventFactory, flushExecution, getJson, ingest, listGroups, llmCall, newExecutionId } from "../../test/helpers.ts";
import type { ExecutionObject } from "./execution-object.ts";

const stubFor = (projectId: string, executionId: string) => env.EXECUTION.get(env.EXECUTION.idFromName(`${projectId}:${executionId}`));

describe("execution object", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("keeps events, findings and detector state across eviction, and detection continues", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const messages = [{ role: "user", content: "check the booking again" }];
    await ingest(project.ingest_key, [ev("execution_started", { name: "evicted" }), ev("llm_call", llmCall({ messages })), ev("llm_call", llmCall({ messages }))]);
    await evictDurableObject(stubFor(project.project_id, id));
    await ingest(project.ingest_key, [ev("llm_call", llmCall({ messages }))]);
    await evictDurableObject(stubFor(project.project_id, id));
    // Fourth identical call: the count of the first three survived two evictions.
    const { body } = await ingest(project.ingest_key, [ev("llm_call", llmCall({ messages }))]);
    expect(body.accepted).toBe(1);
    const read = await getJson<{ execution: { event_count: number; name: string }; findings: { failure_class: string }[] }>(`/v1/executions/${id}`, project.read_key);
    expect(read.body.execution).toMatchObject({ event_count: 5, name: "evicted" });
    expect(read.body.findings.map((f) => f.failure_class)).toEqual(["identical_call_loop"]);
  });

  it("loses no finding while D1 is failing, and delivers exactly once when it recovers", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const failing = () => ev("tool_call", { tool: "ledger", status: "failed", error: { type: "ConnectionReset" } });
    // A real D1 failure: the groups table is unavailable, so every flush's batch fails.
    await env.DB.exec("ALTER TABLE failure_groups RENAME TO failure_groups_offline");
    try {
      expect((await ingest(project.ingest_key, [failing(), failing()])).status).toBe(200);
      await runDurableObjectAlarm(stubFor(project.project_id, id));
      expect((await ingest(project.ingest_key, [failing()])).status).toBe(200);
      await runDurableObjectAlarm(stubFor(project.project_id, id));
      const pending = await runInDurableObject(stubFor(project.project_id, id), (_obj: ExecutionObject, state) => ({
        outbox: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n,
        timer: state.storage.sql.exec<{ attempts: number; due_at: number }>("SELECT attempts, due_at FROM timers WHERE kind = 'flush'").one(),
      }));
      expect(pending.outbox).toBe(3);
      expect(pending.timer.attempts).toBeGreaterThanOrEqual(1);
      expect(pending.timer.due_at).toBeGreaterThan(Date.now());
    } finally {
      await env.DB.exec("ALTER TABLE failure_groups_offline RENAME TO failure_groups");
    }
    // Recovery: the retry delivers every finding once, however often the alarm runs.
    await runInDurableObject(stubFor(project.project_id, id), (_obj: ExecutionObject, state) => {
      state.storage.sql.exec("UPDATE timers SET due_at = 0");
    });
    await flushExecution(project.project_id, id);
    await flushExecution(project.project_id, id);
    const group = (await listGroups(project, "?failure_class=tool_failure")).find((g) => g.signature === "ledger:ConnectionReset");
    expect(group).toMatchObject({ occurrences: 3, executions: 1 });
    const outbox = await runInDurableObject(stubFor(project.project_id, id), (_obj: ExecutionObject, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n);
    expect(outbox).toBe(0);
  });

  it("applies a flush at most once even if the outbox delete was lost after D1 committed", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    await ingest(project.ingest_key, [ev("tool_call", { tool: "once", status: "failed" })]);
    // Keep a copy of the outbox row, flush, then put the row back as if the delete never happened.
    const saved = await runInDurableObject(stubFor(project.project_id, id), (_obj: ExecutionObject, state) =>
      state.storage.sql.exec<Record<string, SqlStorageValue>>("SELECT * FROM outbox").toArray(),
    );
    await flushExecution(project.project_id, id);
    await runInDurableObject(stubFor(project.project_id, id), async (_obj: ExecutionObject, state) => {
      for (const row of saved) {
        state.storage.sql.exec(
          "INSERT INTO outbox (seq, execution_id, failure_class, signature, severity, ts, new_execution, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          row.seq!,
          row.execution_id!,
          row.failure_class!,
          row.signature!,
          row.severity!,
          row.ts!,
          row.new_execution!,
          row.detail!,
        );
      }
      state.storage.sql.exec("INSERT INTO timers (kind, due_at, attempts) VALUES ('flush', 0, 0) ON CONFLICT (kind) DO UPDATE SET due_at = 0");
      await state.storage.setAlarm(Date.now());
    });
    await flushExecution(project.project_id, id);
    const group = (await listGroups(project, "?failure_class=tool_failure")).find((g) => g.signature === "once:error");
    expect(group).toMatchObject({ occurrences: 1, executions: 1 });
  });

  it("holds no event history in memory: the events live in SQLite only", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    for (let b = 0; b < 5; b++) {
      await ingest(project.ingest_key, Array.from({ length: 100 }, (_, i) => ev("llm_call", llmCall({ prompt: `distinct prompt ${b}-${i} ${"x".repeat(300)}` }))));
    }
    const sizes = await runInDurableObject(stubFor(project.project_id, id), (_obj: ExecutionObject, state) => ({
      events: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM events").one().n,
      stateBytes: state.storage.sql.exec<{ n: number }>("SELECT sum(length(state)) AS n FROM detector_state").one().n,
    }));
    expect(sizes.events).toBe(500);
    // Detector state is bounded by its windows, not by the run's length.
    expect(sizes.stateBytes).toBeLessThan(60_000);
  });
});
