// POST /v1/traces: real OTLP from the official OpenTelemetry JS exporters (protobuf and JSON) into
// the real Worker, objects and D1. Proves: a looping chat agent yields identical_call_loop and a
// failing tool yields tool_failure, both as groups with playbooks; a re-export is a duplicate;
// gzip; a malformed span is rejected alone (partialSuccess) in both encodings; ignored spans are
// counted in ingest health; 400/401/403/413/415 come back as google.rpc.Status bodies.
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { beforeAll, describe, it } from "vitest";
import type { GroupOut, TestProject } from "../../test/helpers.ts";
import { call, createProject, flushExecution, getJson, listGroups } from "../../test/helpers.ts";
import { child, exportSpans, fail, newTracer } from "../../test/otel/sdk.ts";
import { google, opentelemetry } from "../otel/generated/otlp-trace.js";

const CHAT = {
  "gen_ai.operation.name": "chat",
  "gen_ai.provider.name": "openai",
  "gen_ai.request.model": "gpt-4o",
  "gen_ai.response.model": "gpt-4o",
  "gen_ai.usage.input_tokens": 812,
  "gen_ai.usage.output_tokens": 45,
};

interface ExecutionRead {
  execution: { event_count: number; status: string; name: string | null; tenant_id: string | null };
  events: { id: string; type: string; model?: string; input_tokens?: number; tool?: string; agent?: string; status?: string; error?: { type?: string } }[];
  findings: { failure_class: string; signature: string; occurrences: number; group_id: string }[];
}

function readExecution(project: TestProject, executionId: string) {
  return getJson<ExecutionRead>(`/v1/executions/${encodeURIComponent(executionId)}`, project.read_key);
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function postTraces(key: string | undefined, body: BodyInit, contentType = "application/json", extra: Record<string, string> = {}) {
  return call("/v1/traces", { method: "POST", ...(key ? { key } : {}), headers: { "content-type": contentType, ...extra }, body });
}

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, "0");

/** A hand-written OTLP/JSON span, for the cases no SDK would produce. */
function jsonSpan(spanId: string, traceId: string, attributes: Record<string, string | number>, extra: Record<string, unknown> = {}) {
  return {
    traceId,
    spanId,
    name: "span",
    kind: 1,
    startTimeUnixNano: "1793534400000000000",
    endTimeUnixNano: "1793534400250000000",
    attributes: Object.entries(attributes).map(([key, v]) => ({ key, value: typeof v === "number" ? { intValue: String(v) } : { stringValue: v } })),
    ...extra,
  };
}

function jsonRequest(spans: unknown[], resource: Record<string, string> = { "service.name": "hand-written" }) {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: Object.entries(resource).map(([key, v]) => ({ key, value: { stringValue: v } })) },
        scopeSpans: [{ scope: { name: "manual", version: "1" }, spans }],
      },
    ],
  });
}

describe("POST /v1/traces with the official OpenTelemetry exporters", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject("otel project");
  });

  it("turns a looping chat agent sent as protobuf into an identical_call_loop group with its playbook", async ({ expect }) => {
    const { tracer, finished } = newTracer({ "service.name": "travel-agent", "deployment.environment.name": "staging" });
    const root = tracer.startSpan("invoke_agent planner", { attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner" } });
    const messages = JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Find me a flight to Lisbon on Friday." }] }]);
    for (let i = 0; i < 5; i++) child(tracer, root, "chat gpt-4o", { attributes: { ...CHAT, "gen_ai.input.messages": messages } }).end();
    root.end();
    const spans = await finished();

    const out = await exportSpans("protobuf", spans, project.ingest_key);
    expect(out.code).toBe(0);
    expect(out.requests[0]?.contentType).toBe("application/x-protobuf");
    expect(out.responses[0]).toMatchObject({ status: 200, contentType: "application/x-protobuf" });
    expect(out.responses[0]?.body.byteLength).toBe(0); // every span accepted: an empty response

    const executionId = root.spanContext().traceId;
    const read = await readExecution(project, executionId);
    expect(read.status).toBe(200);
    expect(read.body.events.map((e) => e.type)).toEqual(["execution_started", "llm_call", "llm_call", "llm_call", "llm_call", "llm_call", "execution_finished"]);
    expect(read.body.events[1]).toMatchObject({ id: `otel:${spans[0]!.spanContext().spanId}`, model: "gpt-4o", input_tokens: 812, agent: "planner" });
    expect(read.body.execution).toMatchObject({ status: "completed", name: "planner" });
    const loop = read.body.findings.find((f) => f.failure_class === "identical_call_loop");
    expect(loop).toMatchObject({ signature: "planner/gpt-4o" });

    await flushExecution(project.project_id, executionId);
    const group = (await listGroups(project, "?failure_class=identical_call_loop")).find((g) => g.signature === "planner/gpt-4o");
    expect(group).toMatchObject({ executions: 1 });
    const detail = await getJson<{ group: GroupOut; playbook: { markdown: string } | null }>(`/v1/groups/${group!.id}`, project.read_key);
    expect(detail.body.playbook?.markdown).toMatch(/\S/);
  });

  it("turns a failing tool sent as OTLP/JSON into a tool_failure group, and a re-export changes nothing", async ({ expect }) => {
    const { tracer, finished } = newTracer();
    const root = tracer.startSpan("invoke_agent booker", { attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "booker" } });
    child(tracer, root, "chat gpt-4o", { attributes: CHAT }).end();
    const tool = child(tracer, root, "execute_tool search_flights", {
      attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search_flights", "gen_ai.tool.call.arguments": '{"to":"LIS"}' },
    });
    const timeout = new Error("upstream did not answer in 30s");
    timeout.name = "TimeoutError";
    fail(tool, timeout);
    tool.end();
    root.end();
    const spans = await finished();

    const out = await exportSpans("json", spans, project.ingest_key);
    expect(out.code).toBe(0);
    expect(out.requests[0]?.contentType).toBe("application/json");
    expect(out.responses[0]?.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(out.responses[0]!.body))).toEqual({});

    const executionId = root.spanContext().traceId;
    const read = await readExecution(project, executionId);
    const toolEvent = read.body.events.find((e) => e.type === "tool_call");
    expect(toolEvent).toMatchObject({ tool: "search_flights", status: "failed", error: { type: "TimeoutError" }, agent: "booker" });
    expect(read.body.findings.map((f) => [f.failure_class, f.signature])).toContainEqual(["tool_failure", "search_flights:TimeoutError"]);
    await flushExecution(project.project_id, executionId);
    const before = (await listGroups(project, "?failure_class=tool_failure")).find((g) => g.signature === "search_flights:TimeoutError");
    expect(before).toMatchObject({ occurrences: 1, executions: 1 });

    // The same spans again, the other encoding: every one a duplicate.
    const again = await exportSpans("protobuf", spans, project.ingest_key);
    expect(again.code).toBe(0);
    await flushExecution(project.project_id, executionId);
    const after = (await listGroups(project, "?failure_class=tool_failure")).find((g) => g.signature === "search_flights:TimeoutError");
    expect(after).toEqual(before);
    expect((await readExecution(project, executionId)).body.execution.event_count).toBe(read.body.execution.event_count);
  });

  it("accepts a gzip body of the official serializer's bytes", async ({ expect }) => {
    // The exporters' fetch transport (the one that runs in workerd) does not compress, so the bytes
    // come from their serializer and are gzipped here, as the Node exporters do with compression: gzip.
    const { tracer, finished } = newTracer();
    tracer.startSpan("chat gpt-4o", { attributes: CHAT }).end();
    const spans = await finished();
    const body = await gzip(ProtobufTraceSerializer.serializeRequest(spans)!);
    const res = await postTraces(project.ingest_key, body, "application/x-protobuf", { "content-encoding": "gzip" });
    expect(res.status).toBe(200);
    const read = await readExecution(project, spans[0]!.spanContext().traceId);
    expect(read.body.events.map((e) => e.type)).toEqual(["llm_call"]);
  });
});

describe("POST /v1/traces: partial success, ignored spans, errors", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject("otel edge cases");
  });

  it("rejects malformed spans as items in OTLP/JSON and keeps the good ones beside them", async ({ expect }) => {
    const traceId = hex(0xabc1, 16);
    const body = jsonRequest([
      jsonSpan(hex(1, 8), traceId, { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup" }),
      jsonSpan("not-hex", traceId, { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup" }),
      jsonSpan(hex(3, 8), traceId, { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup", "vigil.execution_id": "x".repeat(200) }),
      jsonSpan(hex(4, 8), traceId, { ...CHAT }),
    ]);
    const res = await postTraces(project.ingest_key, body);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } };
    expect(answer.partialSuccess?.rejectedSpans).toBe("2");
    expect(answer.partialSuccess?.errorMessage).toMatch(/spanId/);
    expect(answer.partialSuccess?.errorMessage).toMatch(/execution_id is too long/);
    const read = await readExecution(project, traceId);
    expect(read.body.events.map((e) => e.id)).toEqual([`otel:${hex(1, 8)}`, `otel:${hex(4, 8)}`]);
  });

  it("rejects malformed spans as items in protobuf, answering an ExportTraceServiceResponse the SDK can read", async ({ expect }) => {
    const traceId = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const span = (spanId: Uint8Array, name: string) => ({
      traceId,
      spanId,
      name,
      startTimeUnixNano: 1793534400000000000,
      endTimeUnixNano: 1793534400100000000,
      attributes: [
        { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
        { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
      ],
    });
    const bytes = opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.encode({
      resourceSpans: [{ scopeSpans: [{ spans: [span(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), "good"), span(Uint8Array.of(1, 2, 3), "short id")] }] }],
    }).finish();
    const res = await postTraces(project.ingest_key, new Uint8Array(bytes), "application/x-protobuf");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    const decoded = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()));
    expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toMatch(/spanId must be 8 bytes/);
    const read = await readExecution(project, "0102030405060708090a0b0c0d0e0f10");
    expect(read.body.events).toHaveLength(1);
    expect(read.body.events[0]).toMatchObject({ model: "gpt-4o-mini", provider: "openai" });
  });

  it("counts HTTP, database and framework spans as ignored in ingest health, never as rejected", async ({ expect }) => {
    const own = await createProject("otel health");
    const { tracer, finished } = newTracer();
    const root = tracer.startSpan("POST /chat", { attributes: { "http.request.method": "POST", "url.path": "/chat" } });
    child(tracer, root, "SELECT sessions", { attributes: { "db.system.name": "postgresql" } }).end();
    child(tracer, root, "RunnableSequence").end();
    child(tracer, root, "chat gpt-4o", { attributes: CHAT }).end();
    root.end();
    const out = await exportSpans("protobuf", await finished(), own.ingest_key);
    expect(out.code).toBe(0);
    expect(out.responses[0]?.body.byteLength).toBe(0);
    let health: { accepted: number; ignored: number; rejected: number } | undefined;
    for (let i = 0; i < 20 && !(health && health.accepted > 0); i++) {
      health = (await getJson<{ accepted: number; ignored: number; rejected: number }>("/v1/ingest/health", own.read_key)).body;
      if (health.accepted === 0) await new Promise((r) => setTimeout(r, 25)); // waitUntil finishes after the response
    }
    expect(health).toMatchObject({ accepted: 1, ignored: 3, rejected: 0 });
  });

  it("takes the execution from vigil.execution_id, the tenant from tenant.id, the agent from the enclosing agent span", async ({ expect }) => {
    const { tracer, finished } = newTracer({ "service.name": "svc", "vigil.execution_id": "run-2026-11-24-7", "tenant.id": "acme" });
    const root = tracer.startSpan("invoke_agent triage", { attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "triage" } });
    const sub = child(tracer, root, "invoke_agent refunds", { attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "refunds" } });
    child(tracer, sub, "chat claude", { attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-sonnet-4-5", "session.id": "s-1" } }).end();
    sub.end();
    fail(root, Object.assign(new Error("no refund policy for this case"), { name: "PolicyError" }));
    root.end();
    expect((await exportSpans("json", await finished(), project.ingest_key)).code).toBe(0);
    const read = await readExecution(project, "run-2026-11-24-7");
    expect(read.body.execution).toMatchObject({ tenant_id: "acme", status: "crashed" });
    const byType = Object.fromEntries(read.body.events.map((e) => [e.type, e]));
    expect(byType.agent_handoff).toMatchObject({ from_agent: "triage", to_agent: "refunds" });
    expect(byType.llm_call).toMatchObject({ agent: "refunds", provider: "anthropic", model: "claude-sonnet-4-5", attributes: { "session.id": "s-1" } });
    expect(byType.execution_finished).toMatchObject({ status: "crashed", error: { type: "PolicyError" } });
  });

  it("answers undecodable bodies 400 with a google.rpc.Status in the request's encoding", async ({ expect }) => {
    const pb = await postTraces(project.ingest_key, new TextEncoder().encode("\u00ff\u00ffnot protobuf at all"), "application/x-protobuf");
    expect(pb.status).toBe(400);
    expect(pb.headers.get("content-type")).toBe("application/x-protobuf");
    const status = google.rpc.Status.decode(new Uint8Array(await pb.arrayBuffer()));
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/protobuf/);

    const js = await postTraces(project.ingest_key, "{nope");
    expect(js.status).toBe(400);
    const body = (await js.json()) as { code: number; message: string; error: { code: string; request_id: string } };
    expect(body).toMatchObject({ code: 3, error: { code: "invalid_body" } });
    expect(body.error.request_id).toMatch(/.+/);
    expect((await postTraces(project.ingest_key, JSON.stringify({ resourceSpans: 7 }))).status).toBe(400);
  });

  it("answers 401, 403, 413 and 415 like the rest of the API, in OTLP's error shape", async ({ expect }) => {
    const empty = JSON.stringify({ resourceSpans: [] });
    const noKey = await postTraces(undefined, empty);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ code: 16, error: { code: "unauthorized" } });
    const readKey = await postTraces(project.read_key, empty);
    expect(readKey.status).toBe(403);
    expect(await readKey.json()).toMatchObject({ code: 7, error: { code: "forbidden" } });
    expect((await postTraces(project.ingest_key, empty, "text/plain")).status).toBe(415);
    expect((await postTraces(project.ingest_key, empty, "application/json", { "content-encoding": "br" })).status).toBe(415);
    const bomb = await gzip(new TextEncoder().encode(JSON.stringify({ resourceSpans: [], pad: "x".repeat(1024 * 1024) })));
    const big = await postTraces(project.ingest_key, bomb, "application/json", { "content-encoding": "gzip" });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: "payload_too_large" } });
    const many = Array.from({ length: 1001 }, (_, i) => jsonSpan(hex(i + 1, 8), hex(7, 16), {}));
    const tooMany = await postTraces(project.ingest_key, jsonRequest(many));
    expect(tooMany.status).toBe(413);
    expect(await tooMany.json()).toMatchObject({ error: { code: "too_many_events" } });
    // An empty export is a valid export.
    const ok = await postTraces(project.ingest_key, empty);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({});
  });
});
