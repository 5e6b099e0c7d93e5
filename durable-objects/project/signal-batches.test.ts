// Each event's project signals count once in the project-wide windows, counted by batch: the
// execution object says which ingest call stored each event, and the project object records a
// batch applied whole with one `batch_seen` row. These tests count LLM calls in `model_usage` (one
// per llm_usage signal applied) through every path a retry can take: the usual replay, a Worker
// that stored the events but died before the project object heard of them, a retry that carries
// only part of such a batch, a retry that reaches the project object before the original does,
// and events stored before batches were kept.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { createProject, eventFactory, ingest, llmCall, newExecutionId } from "../../test/helpers.ts";
import { DEFAULT_DETECTOR_SETTINGS } from "../../workers/core/detector-settings.ts";
import { prepareEvents } from "../../workers/ingest/prepare-events.ts";
import type { ExecutionBatchResult } from "../execution/rpc-types.ts";
import type { ProjectSignal } from "./signals.ts";

const executionStub = (projectId: string, executionId: string) => env.EXECUTION.get(env.EXECUTION.idFromName(`${projectId}:${executionId}`));
const projectStub = (projectId: string) => env.PROJECT.get(env.PROJECT.idFromName(projectId));

async function callsCounted(projectId: string): Promise<number> {
  return runInDurableObject(projectStub(projectId), (_o, state) => state.storage.sql.exec<{ n: number | null }>("SELECT sum(calls) AS n FROM model_usage").one().n ?? 0);
}

async function seenRows(projectId: string) {
  return runInDurableObject(projectStub(projectId), (_o, state) => ({
    batches: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM batch_seen").one().n,
    signals: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM signal_seen").one().n,
  }));
}

/** Stores events in their execution object the way the Worker would, but tells the project object nothing (a Worker that died in between). */
async function storeOnly(projectId: string, executionId: string, events: readonly Record<string, unknown>[]): Promise<ExecutionBatchResult> {
  const prepared = prepareEvents(events, 1000);
  return executionStub(projectId, executionId).ingest({ projectId, executionId, settings: DEFAULT_DETECTOR_SETTINGS, events: prepared.byExecution.get(executionId)! });
}

/** An LLM call's project signal, as the Worker extracts it: counted in model_usage when applied. */
function llmUsage(eventId: string, executionId: string): ProjectSignal {
  return {
    kind: "llm_usage",
    event_id: eventId,
    execution_id: executionId,
    ts: Date.UTC(2026, 10, 1, 12),
    model: "gpt-4o",
    cost_usd: null,
    input_tokens: null,
    output_tokens: null,
    grams: new Uint32Array(0),
  };
}

function calls(executionId: string, n: number) {
  const ev = eventFactory(executionId);
  return Array.from({ length: n }, (_, i) => ev("llm_call", llmCall({ messages: [{ role: "user", content: `question ${i}` }] })));
}

describe("project signals counted by batch", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject("signal batches");
  });

  it("counts a request once, with one batch_seen row and no row per signal, however often it is replayed", async ({ expect }) => {
    const own = await createProject("signal batches, replay");
    const a = newExecutionId("batch-a");
    const b = newExecutionId("batch-b");
    const events = [...calls(a, 3), ...calls(b, 2)];
    expect((await ingest(own.ingest_key, events)).body.accepted).toBe(5);
    expect(await callsCounted(own.project_id)).toBe(5);
    expect(await seenRows(own.project_id)).toEqual({ batches: 2, signals: 0 });
    expect((await ingest(own.ingest_key, events)).body.duplicates).toBe(5);
    expect((await ingest(own.ingest_key, [...events].reverse())).body.duplicates).toBe(5);
    expect(await callsCounted(own.project_id)).toBe(5);
    expect(await seenRows(own.project_id)).toEqual({ batches: 2, signals: 0 });
  });

  it("applies the signals of events stored by a request that never reached the project object when the client retries", async ({ expect }) => {
    const id = newExecutionId("gap");
    const events = calls(id, 4);
    const before = await callsCounted(project.project_id);
    const stored = await storeOnly(project.project_id, id, events);
    expect(stored).toMatchObject({ accepted: 4, earlier: [] });
    expect(stored.batch).toEqual(expect.any(Number));
    expect(await callsCounted(project.project_id)).toBe(before);
    // The retry: every event is a duplicate, labelled with the batch that stored it.
    expect((await ingest(project.ingest_key, events)).body).toMatchObject({ accepted: 0, duplicates: 4 });
    expect(await callsCounted(project.project_id)).toBe(before + 4);
    expect((await ingest(project.ingest_key, events)).body.duplicates).toBe(4);
    expect(await callsCounted(project.project_id)).toBe(before + 4);
  });

  it("counts every event once when the retries carry the unapplied batch in parts, mixed with new events", async ({ expect }) => {
    const id = newExecutionId("parts");
    const events = calls(id, 6);
    const before = await callsCounted(project.project_id);
    await storeOnly(project.project_id, id, events.slice(0, 4));
    // Events 3 and 4 of the unapplied batch, and two new ones.
    expect((await ingest(project.ingest_key, events.slice(2, 6))).body).toMatchObject({ accepted: 2, duplicates: 2 });
    expect(await callsCounted(project.project_id)).toBe(before + 4);
    // Events 1 to 4: only 1 and 2 are new to the project object.
    expect((await ingest(project.ingest_key, events.slice(0, 4))).body.duplicates).toBe(4);
    expect(await callsCounted(project.project_id)).toBe(before + 6);
    expect((await ingest(project.ingest_key, events)).body.duplicates).toBe(6);
    expect(await callsCounted(project.project_id)).toBe(before + 6);
  });

  it("counts a batch once when its retry reaches the project object before the original request does", async ({ expect }) => {
    const projectId = `race-${crypto.randomUUID()}`;
    const signals = [1, 2, 3].map((n) => llmUsage(`race-e${n}`, "race-run"));
    const observe = (subset: ProjectSignal[], storedNow: boolean) =>
      projectStub(projectId).observe({
        projectId,
        settings: DEFAULT_DETECTOR_SETTINGS,
        signals: subset,
        groups: [{ execution_id: "race-run", batch: 7, stored_now: storedNow, indices: subset.map((_, i) => i) }],
      });
    // A client gave up on the original request and retried with part of it; the retry is first.
    await observe(signals.slice(1), false);
    expect(await callsCounted(projectId)).toBe(2);
    // The original request's call arrives late, with the whole batch as stored by it.
    await observe(signals, true);
    expect(await callsCounted(projectId)).toBe(3);
    await observe(signals, false);
    await observe(signals, true);
    expect(await callsCounted(projectId)).toBe(3);
  });

  it("counts a batch applied whole once, and skips its later duplicates without a row per signal", async ({ expect }) => {
    const projectId = `whole-${crypto.randomUUID()}`;
    const signals = [1, 2].map((n) => llmUsage(`whole-e${n}`, "whole-run"));
    const observe = (storedNow: boolean, batch: number | null) =>
      projectStub(projectId).observe({ projectId, settings: DEFAULT_DETECTOR_SETTINGS, signals, groups: [{ execution_id: "whole-run", batch, stored_now: storedNow, indices: [0, 1] }] });
    await observe(true, 3);
    await observe(false, 3);
    expect(await callsCounted(projectId)).toBe(2);
    expect(await seenRows(projectId)).toEqual({ batches: 1, signals: 0 });
    // Without a batch (events stored before batches were kept) each signal is checked on its own.
    await observe(false, null);
    await observe(false, null);
    expect(await callsCounted(projectId)).toBe(4);
    expect(await seenRows(projectId)).toEqual({ batches: 1, signals: 2 });
  });

  it("stores a batch of several statements with duplicates spread through it, and says exactly which went in", async ({ expect }) => {
    const id = newExecutionId("chunks");
    const events = calls(id, 100);
    const everyOther = events.filter((_, i) => i % 3 === 0);
    const first = await storeOnly(project.project_id, id, everyOther);
    expect(first).toMatchObject({ accepted: everyOther.length, duplicates: 0 });
    const second = await storeOnly(project.project_id, id, events);
    expect(second).toMatchObject({ accepted: 100 - everyOther.length, duplicates: everyOther.length });
    expect(new Set(second.earlier.map((e) => e.id))).toEqual(new Set(everyOther.map((e) => e.id)));
    expect(second.earlier.every((e) => e.batch === first.batch)).toBe(true);
    // The second batch's seq range holds exactly the events it stored.
    const stored = await runInDurableObject(executionStub(project.project_id, id), (_o, state) => {
      const range = state.storage.sql.exec<{ last_seq: number }>("SELECT last_seq FROM event_batches WHERE first_seq = ?", second.batch).one();
      return state.storage.sql.exec<{ id: string }>("SELECT id FROM events WHERE seq BETWEEN ? AND ?", second.batch, range.last_seq).toArray().map((r) => r.id);
    });
    expect(new Set(stored)).toEqual(new Set(events.filter((_, i) => i % 3 !== 0).map((e) => e.id)));
  });

  it("names, for each duplicate, the batch that stored it, and no batch for events stored before batches were kept", async ({ expect }) => {
    const id = newExecutionId("earlier");
    const events = calls(id, 6);
    const first = await storeOnly(project.project_id, id, events.slice(0, 3));
    const second = await storeOnly(project.project_id, id, events.slice(3, 5));
    expect(second.batch).toBeGreaterThan(first.batch!);
    const third = await storeOnly(project.project_id, id, [events[1]!, events[3]!, events[5]!]);
    expect(third.accepted).toBe(1);
    expect(third.batch).toBeGreaterThan(second.batch!);
    expect(new Map(third.earlier.map((e) => [e.id, e.batch]))).toEqual(
      new Map([
        [events[1]!.id, first.batch],
        [events[3]!.id, second.batch],
      ]),
    );
    const again = await storeOnly(project.project_id, id, events);
    expect(again).toMatchObject({ accepted: 0, duplicates: 6, batch: null });
    // An object upgraded from before migration step 4 knows no batch for its older events.
    await runInDurableObject(executionStub(project.project_id, id), (_o, state) => state.storage.sql.exec("DELETE FROM event_batches WHERE first_seq = ?", first.batch));
    const legacy = await storeOnly(project.project_id, id, [events[0]!, events[4]!]);
    expect(new Map(legacy.earlier.map((e) => [e.id, e.batch]))).toEqual(
      new Map([
        [events[0]!.id, null],
        [events[4]!.id, second.batch],
      ]),
    );
  });
});
