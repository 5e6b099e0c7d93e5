// Helpers for tests that go through the real Worker (exports.default.fetch), real Durable Objects
// and the real D1 with its migrations.
import { exports } from "cloudflare:workers";
import { settleProjectHandoffs } from "../workers/ingest/project-handoff.ts";

export const ADMIN = "dev-admin-token";
export const BASE = "http://vigil.test";

export interface TestProject {
  project_id: string;
  ingest_key: string;
  read_key: string;
  admin_key: string;
}

export function call(path: string, init: RequestInit & { key?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers }));
}

export async function createProject(name = "test project"): Promise<TestProject> {
  const res = await call("/v1/admin/projects", {
    method: "POST",
    key: ADMIN,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`project creation failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TestProject;
}

export type EventInput = Record<string, unknown> & { id: string; type: string; execution_id: string };

export interface IngestBody {
  accepted: number;
  duplicates: number;
  rejected: { index: number; id: string | null; code: string; message: string; path: string }[];
  directives: { execution_id: string; action: string; failure_class: string; signature: string; group_id: string }[];
}

export async function ingest(key: string, events: readonly unknown[]): Promise<{ status: number; body: IngestBody }> {
  const res = await call("/v1/events", {
    method: "POST",
    key,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ events }),
  });
  return { status: res.status, body: (await res.json()) as IngestBody };
}

export async function getJson<T = Record<string, unknown>>(path: string, key: string): Promise<{ status: number; body: T }> {
  const res = await call(path, { key });
  return { status: res.status, body: (await res.json()) as T };
}

let counter = 0;
/** A unique execution id per call, so tests sharing storage never collide. */
export function newExecutionId(prefix = "exec"): string {
  counter++;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Events for one execution with sequential ids and timestamps one second apart. */
export function eventFactory(executionId: string, start = Date.UTC(2026, 10, 1, 12)) {
  let n = 0;
  return (type: string, fields: Record<string, unknown> = {}): EventInput => {
    n++;
    return { id: `${executionId}-e${n}`, execution_id: executionId, type, timestamp: start + n * 1000, ...fields };
  };
}

export function llmCall(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { provider: "openai", model: "gpt-4o", status: "ok", ...fields };
}

export interface FindingOut {
  failure_class: string;
  signature: string;
  severity: string;
  occurrences: number;
  group_id: string;
  detail: Record<string, unknown>;
}

/** Sends events (in batches of 100) and returns the execution's findings from the read API. */
export async function findingsAfter(project: TestProject, executionId: string, events: readonly unknown[]): Promise<FindingOut[]> {
  for (let i = 0; i < events.length; i += 100) {
    const { status, body } = await ingest(project.ingest_key, events.slice(i, i + 100));
    if (status !== 200) throw new Error(`ingest answered ${status}: ${JSON.stringify(body)}`);
  }
  const { status, body } = await getJson<{ findings: FindingOut[] }>(`/v1/executions/${encodeURIComponent(executionId)}`, project.read_key);
  if (status !== 200) throw new Error(`execution read answered ${status}`);
  return body.findings;
}

export function ofClass(findings: readonly FindingOut[], failureClass: string): FindingOut[] {
  return findings.filter((f) => f.failure_class === failureClass);
}

/**
 * Brings an execution fully into D1, as the runtime would shortly after its batches: the Worker's
 * handoffs to the project object settle, the execution object's alarm runs (outbox flush,
 * deadline), and the project object writes the waiting executions rows.
 */
export async function flushExecution(projectId: string, executionId: string): Promise<void> {
  const { runDurableObjectAlarm } = await import("cloudflare:test");
  const { env } = await import("cloudflare:workers");
  await settleProjectHandoffs();
  await runDurableObjectAlarm(env.EXECUTION.get(env.EXECUTION.idFromName(`${projectId}:${executionId}`)));
  await flushExecutionRows(projectId);
}

/** Makes the project object write its waiting executions rows to D1 now. */
export async function flushExecutionRows(projectId: string): Promise<void> {
  const { runDurableObjectAlarm, runInDurableObject } = await import("cloudflare:test");
  const { env } = await import("cloudflare:workers");
  await settleProjectHandoffs();
  const stub = env.PROJECT.get(env.PROJECT.idFromName(projectId));
  const waiting = await runInDurableObject(stub, async (_o, state) => {
    const due = state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE kind = 'rows' RETURNING kind").toArray().length > 0;
    if (due) await state.storage.setAlarm(Date.now());
    return due;
  });
  if (waiting) await runDurableObjectAlarm(stub);
}

export interface GroupOut {
  id: string;
  failure_class: string;
  signature: string;
  status: string;
  severity: string;
  first_seen: string;
  last_seen: string;
  occurrences: number;
  executions: number;
}

export async function listGroups(project: TestProject, query = ""): Promise<GroupOut[]> {
  const { status, body } = await getJson<{ groups: GroupOut[] }>(`/v1/groups${query}`, project.read_key);
  if (status !== 200) throw new Error(`groups answered ${status}`);
  return body.groups;
}

/** Runs the project object's alarm now (its outbox flush to D1). */
export async function flushProject(projectId: string): Promise<void> {
  const { runDurableObjectAlarm } = await import("cloudflare:test");
  const { env } = await import("cloudflare:workers");
  await runDurableObjectAlarm(env.PROJECT.get(env.PROJECT.idFromName(projectId)));
}

/** Sends events in batches of 100 (expecting 200) and flushes the project object. */
export async function sendAll(project: TestProject, events: readonly unknown[]): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const { status, body } = await ingest(project.ingest_key, events.slice(i, i + 100));
    if (status !== 200) throw new Error(`ingest answered ${status}: ${JSON.stringify(body)}`);
  }
  await flushProject(project.project_id);
}

let eventSeq = 0;
/** One event with a unique id at an explicit time, for tests that control the clock. */
export function at(ts: number, executionId: string, type: string, fields: Record<string, unknown> = {}): EventInput {
  eventSeq++;
  return { id: `ev-${eventSeq}-${crypto.randomUUID().slice(0, 6)}`, execution_id: executionId, type, timestamp: ts, ...fields };
}

export const MINUTE = 60_000;
export const T0 = Date.UTC(2026, 10, 10, 9);

export async function patchGroup(project: TestProject, groupId: string, change: Record<string, unknown>, key = project.admin_key) {
  const res = await call(`/v1/groups/${groupId}`, { method: "PATCH", key, headers: { "content-type": "application/json" }, body: JSON.stringify(change) });
  return { status: res.status, body: (await res.json()) as { group: GroupOut & Record<string, unknown>; error?: { code: string; message: string } } };
}

export async function postJson(path: string, key: string, body: unknown) {
  const res = await call(path, { method: "POST", key, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Runs the project object's alarm with every timer and delivery made due now. */
export async function deliverNow(projectId: string): Promise<void> {
  const { runDurableObjectAlarm, runInDurableObject } = await import("cloudflare:test");
  const { env } = await import("cloudflare:workers");
  const stub = env.PROJECT.get(env.PROJECT.idFromName(projectId));
  await runInDurableObject(stub, async (_o, state) => {
    state.storage.sql.exec("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE status = 'pending'");
    state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE kind = 'deliver'");
    await state.storage.setAlarm(Date.now());
  });
  await runDurableObjectAlarm(stub);
}
