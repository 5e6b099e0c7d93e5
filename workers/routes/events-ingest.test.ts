// POST /v1/events: the 200/207 contract, every whole-request error (400/401/403/413/415), gzip,
// idempotent replay, and halt directives.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { call, createProject, eventFactory, flushExecution, getJson, ingest, listGroups, llmCall, newExecutionId } from "../../test/helpers.ts";

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function post(key: string | undefined, body: BodyInit, headers: Record<string, string> = { "content-type": "application/json" }) {
  return call("/v1/events", { method: "POST", ...(key ? { key } : {}), headers, body });
}

async function expectError(res: Response, status: number, code: string, expect: (v: unknown) => { toBe(v: unknown): void; toMatch(v: RegExp): void }) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string; request_id: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.request_id).toMatch(/.+/);
  return body;
}

describe("POST /v1/events", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("accepts a valid batch with 200 and stores it", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const { status, body } = await ingest(project.ingest_key, [ev("execution_started", { name: "demo", extra_field: { kept: true } }), ev("tool_call", { tool: "t", status: "ok" })]);
    expect(status).toBe(200);
    expect(body).toEqual({ accepted: 2, duplicates: 0, rejected: [], directives: [] });
    const read = await getJson<{ events: { type: string; extra_field?: unknown }[] }>(`/v1/executions/${id}`, project.read_key);
    expect(read.body.events.map((e) => e.type)).toEqual(["execution_started", "tool_call"]);
    expect(read.body.events[0]?.extra_field).toEqual({ kept: true });
  });

  it("answers 401 without a key, with a malformed one and with an unknown one", async ({ expect }) => {
    const body = JSON.stringify({ events: [] });
    await expectError(await post(undefined, body), 401, "unauthorized", expect);
    await expectError(await call("/v1/events", { method: "POST", headers: { authorization: "Basic abc", "content-type": "application/json" }, body }), 401, "unauthorized", expect);
    await expectError(await post("vk_ingest_doesnotexistatall", body), 401, "unauthorized", expect);
  });

  it("answers 403 to a read key", async ({ expect }) => {
    await expectError(await post(project.read_key, JSON.stringify({ events: [] })), 403, "forbidden", expect);
  });

  it("answers 415 to other content types and encodings", async ({ expect }) => {
    await expectError(await post(project.ingest_key, "{}", { "content-type": "text/plain" }), 415, "unsupported_media_type", expect);
    await expectError(await post(project.ingest_key, "{}", { "content-type": "application/json", "content-encoding": "br" }), 415, "unsupported_media_type", expect);
  });

  it("answers 400 to a body that is not an object with an events array", async ({ expect }) => {
    await expectError(await post(project.ingest_key, "{not json"), 400, "invalid_json", expect);
    await expectError(await post(project.ingest_key, JSON.stringify({ events: 5 })), 400, "invalid_body", expect);
    await expectError(await post(project.ingest_key, JSON.stringify([{ id: "x" }])), 400, "invalid_body", expect);
    await expectError(await post(project.ingest_key, new Uint8Array([1, 2, 3]), { "content-type": "application/json", "content-encoding": "gzip" }), 400, "invalid_body", expect);
  });

  it("answers 413 above 1000 events and above 1 MiB, plain or decompressed", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const thousand = Array.from({ length: 1000 }, () => ev("checkpoint", { state: { n: 1 } }));
    expect((await ingest(project.ingest_key, thousand)).status).toBe(200);
    const tooMany = Array.from({ length: 1001 }, () => ev("checkpoint", { state: { n: 1 } }));
    await expectError(await post(project.ingest_key, JSON.stringify({ events: tooMany })), 413, "too_many_events", expect);
    const big = JSON.stringify({ events: [], pad: "x".repeat(1024 * 1024) });
    await expectError(await post(project.ingest_key, big), 413, "payload_too_large", expect);
    const bomb = await gzip(big);
    expect(bomb.byteLength).toBeLessThan(10_000);
    await expectError(await post(project.ingest_key, bomb, { "content-type": "application/json", "content-encoding": "gzip" }), 413, "payload_too_large", expect);
  });

  it("reads a body of undeclared length as a stream, under the same 1 MiB limit", async ({ expect }) => {
    // A ReadableStream body carries no Content-Length: the streaming reader, not the one-call read.
    const streamOf = (text: string) => new Blob([text]).stream();
    const id = newExecutionId();
    const ev = eventFactory(id);
    expect(new Request("http://x/", { method: "POST", body: streamOf("{}") }).headers.get("content-length")).toBeNull();
    const ok = await post(project.ingest_key, streamOf(JSON.stringify({ events: [ev("checkpoint", { state: { n: 1 } })] })));
    expect(await ok.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [], directives: [] });
    const atLimit = JSON.stringify({ events: [], pad: "x".repeat(1024 * 1024 - 22) });
    expect(new TextEncoder().encode(atLimit).byteLength).toBe(1024 * 1024);
    expect((await post(project.ingest_key, streamOf(atLimit))).status).toBe(200);
    await expectError(await post(project.ingest_key, streamOf(`${atLimit} `)), 413, "payload_too_large", expect);
  });

  it("accepts gzip bodies", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const res = await post(project.ingest_key, await gzip(JSON.stringify({ events: [ev("execution_started")] })), {
      "content-type": "application/json; charset=utf-8",
      "content-encoding": "gzip",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
  });

  it("answers 207 with per-item codes and keeps the good events beside bad ones", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const { status, body } = await ingest(project.ingest_key, [
      ev("tool_call", { tool: "a", status: "ok" }),
      ev("tool_call", { tool: "b", status: "exploded" }),
      { id: "no-type", execution_id: id },
      ev("teleport"),
      ev("checkpoint", { state: { blob: "y".repeat(70 * 1024) } }),
      "not an object",
      ev("llm_call", { provider: "openai", status: "ok" }),
      ev("tool_call", { tool: "c", status: "ok", timestamp: "yesterday" }),
      ev("tool_call", { tool: "d", status: "ok" }),
    ]);
    expect(status).toBe(207);
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => [r.index, r.code, r.path])).toEqual([
      [1, "invalid_event", "events[1].status"],
      [2, "unknown_event_type", "events[2].type"],
      [3, "unknown_event_type", "events[3].type"],
      [4, "event_too_large", "events[4]"],
      [5, "invalid_event", "events[5]"],
      [6, "invalid_event", "events[6].model"],
      [7, "invalid_event", "events[7].timestamp"],
    ]);
    expect(body.rejected[0]?.message).toBe("status must be one of: ok, failed");
    expect(body.rejected[0]?.id).toBe(`${id}-e2`);
    const read = await getJson<{ events: { tool: string }[] }>(`/v1/executions/${id}`, project.read_key);
    expect(read.body.events.map((e) => e.tool)).toEqual(["a", "d"]);
  });

  it("requires a JSON field that the contract requires, and accepts any JSON value in it", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const { status, body } = await ingest(project.ingest_key, [
      ev("checkpoint", {}),
      ev("checkpoint", { state: null }),
      ev("checkpoint", { state: [1, "two", { three: [true] }] }),
      ev("tool_call", { tool: "t", status: "ok", arguments: "plain string", result: 42 }),
    ]);
    expect(status).toBe(207);
    expect(body.accepted).toBe(3);
    expect(body.rejected.map((r) => [r.index, r.code, r.path, r.message])).toEqual([[0, "invalid_event", "events[0].state", "state is required"]]);
  });

  it("treats a replayed batch as duplicates and changes no count", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const batch = [ev("tool_call", { tool: "pay", status: "failed", error: { type: "CardDeclined" } }), ev("tool_call", { tool: "pay", status: "failed", error: { type: "CardDeclined" } })];
    expect((await ingest(project.ingest_key, batch)).body).toMatchObject({ accepted: 2, duplicates: 0 });
    await flushExecution(project.project_id, id);
    const before = (await listGroups(project, "?failure_class=tool_failure")).find((g) => g.signature === "pay:CardDeclined");
    const replay = await ingest(project.ingest_key, [...batch, batch[0]]);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ accepted: 0, duplicates: 3 });
    await flushExecution(project.project_id, id);
    const after = (await listGroups(project, "?failure_class=tool_failure")).find((g) => g.signature === "pay:CardDeclined");
    expect(before).toMatchObject({ occurrences: 2, executions: 1 });
    expect(after).toEqual(before);
    const read = await getJson<{ execution: { event_count: number }; findings: { occurrences: number }[] }>(`/v1/executions/${id}`, project.read_key);
    expect(read.body.execution.event_count).toBe(2);
    expect(read.body.findings[0]?.occurrences).toBe(2);
  });

  it("counts a repeated id inside one request as a duplicate", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const e = ev("execution_started");
    expect((await ingest(project.ingest_key, [e, e])).body).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it("returns a halt directive in the batch that fired a halt_on class and in every later batch", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const messages = [{ role: "user", content: "same thing again" }];
    const first = await ingest(project.ingest_key, [
      ev("execution_started", { policy: { halt_on: ["identical_call_loop"] } }),
      ...Array.from({ length: 3 }, () => ev("llm_call", llmCall({ messages }))),
    ]);
    expect(first.body.directives).toEqual([]);
    const firing = await ingest(project.ingest_key, [ev("llm_call", llmCall({ messages }))]);
    expect(firing.body.directives).toEqual([
      { execution_id: id, action: "halt", failure_class: "identical_call_loop", signature: "agent/gpt-4o", group_id: expect.stringMatching(/^g_[0-9a-f]{32}$/) },
    ]);
    const later = await ingest(project.ingest_key, [ev("tool_call", { tool: "t", status: "ok" })]);
    expect(later.body.directives).toEqual(firing.body.directives);
    const other = newExecutionId();
    expect((await ingest(project.ingest_key, [eventFactory(other)("tool_call", { tool: "t", status: "ok" })])).body.directives).toEqual([]);
    const read = await getJson<{ halt: unknown }>(`/v1/executions/${id}`, project.read_key);
    expect(read.body.halt).toEqual(firing.body.directives[0]);
  });

  it("does not halt on classes outside the halt list", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const res = await ingest(project.ingest_key, [ev("execution_started", { policy: { halt_on: ["crash"] } }), ev("tool_call", { tool: "t", status: "failed" })]);
    expect(res.body.directives).toEqual([]);
  });
});
