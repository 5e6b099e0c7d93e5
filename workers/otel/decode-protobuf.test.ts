// The hand-written OTLP/protobuf reader against the decoder protobufjs generates from the official
// .proto files (workers/otel/generated), used here as the reference: on real exports (the 20
// Langfuse framework traces re-encoded, the official SDK's serializer) and on every prefix of them
// the two must agree span for span, or both refuse the body. Wire details the generated decoder
// handles (field order, unknown fields of every wire type, merged messages, oneof replacement)
// are pinned on hand-built messages.
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { describe, it } from "vitest";
import { newTracer } from "../../test/otel/sdk.ts";
import type { LangfuseTrace } from "../../test/otel/replay.ts";
import { replayTrace, toProtobuf } from "../../test/otel/replay.ts";
import agno from "../../../shared/corpora/langfuse-framework-traces/agno-2025-06-11.trace.json?raw";
import crewai from "../../../shared/corpora/langfuse-framework-traces/crewai-2025-07-11.trace.json?raw";
import langgraph from "../../../shared/corpora/langfuse-framework-traces/langgraph-python-2025-08-22.trace.json?raw";
import openaiAgents from "../../../shared/corpora/langfuse-framework-traces/openai-agents-2025-09-30.trace.json?raw";
import vercel from "../../../shared/corpora/langfuse-framework-traces/vercel-aisdk-2025-11-17.trace.json?raw";
import { decodeProtobuf, plainWriter } from "./decode-protobuf.ts";
import { decodeJson } from "./decode-json.ts";
import { opentelemetry } from "./generated/otlp-trace.js";
import type { AttrValue, Attributes, DecodedTraces } from "./span.ts";
import { UndecodableBody, bytesToHex, nanosToMs } from "./span.ts";

const pb = opentelemetry.proto;
type KeyValue = opentelemetry.proto.common.v1.KeyValue.$Properties;
type AnyValue = opentelemetry.proto.common.v1.AnyValue.$Properties;

// ---- the reference: protobufjs's generated decoder, read into the same shape ----

function referenceValue(v: AnyValue | null | undefined): AttrValue {
  if (!v) return null;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) return typeof v.intValue === "number" ? v.intValue : v.intValue.toNumber();
  if (v.doubleValue != null) return v.doubleValue;
  if (v.arrayValue != null) return (v.arrayValue.values ?? []).map(referenceValue);
  if (v.kvlistValue != null) {
    const out: Record<string, AttrValue> = {};
    for (const kv of v.kvlistValue.values ?? []) {
      if (kv.key) Object.defineProperty(out, kv.key, { value: referenceValue(kv.value), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (v.bytesValue != null) return btoa(String.fromCharCode(...v.bytesValue));
  return null;
}

function referenceAttributes(list: readonly KeyValue[] | null | undefined): Attributes {
  const map: Attributes = new Map();
  for (const kv of list ?? []) if (kv.key) map.set(kv.key, referenceValue(kv.value));
  return map;
}

function referenceId(bytes: Uint8Array | null | undefined, length: number): string | null {
  if (!bytes || bytes.length !== length || bytes.every((b) => b === 0)) return null;
  return bytesToHex(bytes);
}

function referenceDecode(bytes: Uint8Array): DecodedTraces | "refused" {
  let request: opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  try {
    request = pb.collector.trace.v1.ExportTraceServiceRequest.decode(bytes);
  } catch {
    return "refused";
  }
  const out: DecodedTraces = { spans: [], malformed: [] };
  let index = 0;
  for (const rs of request.resourceSpans ?? []) {
    const resource = referenceAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? "", version: ss.scope?.version ?? "" };
      for (const s of ss.spans ?? []) {
        const at = index++;
        const spanId = referenceId(s.spanId, 8);
        if (spanId === null) {
          out.malformed.push({ index: at, spanId: null, reason: "spanId must be 8 bytes, not all zero" });
          continue;
        }
        const traceId = referenceId(s.traceId, 16);
        if (traceId === null) {
          out.malformed.push({ index: at, spanId, reason: "traceId must be 16 bytes, not all zero" });
          continue;
        }
        const parentSpanId = s.parentSpanId && s.parentSpanId.length > 0 ? referenceId(s.parentSpanId, 8) : "";
        if (parentSpanId === null) {
          out.malformed.push({ index: at, spanId, reason: "parentSpanId must be empty or 8 bytes" });
          continue;
        }
        const startMs = nanosToMs(s.startTimeUnixNano);
        if (!(startMs > 0)) {
          out.malformed.push({ index: at, spanId, reason: "startTimeUnixNano is required" });
          continue;
        }
        out.spans.push({
          index: at,
          traceId,
          spanId,
          parentSpanId,
          name: s.name ?? "",
          kind: s.kind ?? 0,
          startMs,
          endMs: nanosToMs(s.endTimeUnixNano),
          attributes: referenceAttributes(s.attributes),
          events: (s.events ?? []).map((e) => ({ name: e.name ?? "", timeMs: nanosToMs(e.timeUnixNano), attributes: referenceAttributes(e.attributes) })),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? "" },
          resource,
          scope,
        });
      }
    }
  }
  return out;
}

function ours(bytes: Uint8Array): DecodedTraces | "refused" {
  try {
    return decodeProtobuf(bytes);
  } catch (err) {
    if (err instanceof UndecodableBody) return "refused";
    throw err;
  }
}

const encode = (message: opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.$Properties) =>
  pb.collector.trace.v1.ExportTraceServiceRequest.encode(message, plainWriter()).finish();

const TRACE_ID = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const spanIdOf = (n: number) => Uint8Array.from([0, 0, 0, 0, 0, 0, n >> 8, (n & 0xff) || 1]);
const START = "1764000000123000000";

async function sdkSpans() {
  const { tracer, finished } = newTracer({ "service.name": "decode-test", "deployment.environment": "ci" });
  const root = tracer.startSpan("invoke_agent support", { attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support" } });
  for (let i = 0; i < 5; i++) {
    const span = tracer.startSpan("chat gpt-4o", {
      attributes: {
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 900 + i,
        "gen_ai.request.temperature": 0.25,
        "gen_ai.request.stop_sequences": ["END", "STOP"],
        "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: `Question ${i}: é ü 你好 ${"x".repeat(i * 40)}` }] }]),
        streaming: i % 2 === 0,
      },
    });
    span.addEvent("gen_ai.choice", { index: i, "finish.reason": "stop" });
    if (i === 3) span.setStatus({ code: 2, message: "rate limited" });
    span.end();
  }
  root.end();
  return finished();
}

describe("decodeProtobuf agrees with the generated protobufjs decoder", () => {
  it.for([
    ["agno", agno],
    ["crewai", crewai],
    ["langgraph-python", langgraph],
    ["openai-agents", openaiAgents],
    ["vercel-aisdk", vercel],
  ])("on the %s framework trace re-encoded as protobuf, and on every prefix of it", ([, raw], { expect }) => {
    const bytes = toProtobuf(replayTrace(JSON.parse(raw as string) as LangfuseTrace).request);
    const whole = ours(bytes);
    expect(whole).not.toBe("refused");
    expect((whole as DecodedTraces).spans.length).toBeGreaterThan(0);
    expect(whole).toEqual(referenceDecode(bytes));
    // A cut body either still parses (cut between fields) or is refused; never a different reading.
    const step = Math.max(1, Math.floor(bytes.length / 400));
    for (let cut = 0; cut < bytes.length; cut += step) {
      const prefix = bytes.subarray(0, cut);
      expect(ours(prefix), `prefix of ${cut} bytes`).toEqual(referenceDecode(prefix));
    }
  });

  it("on the official SDK's protobuf serialisation, and reads what its JSON serialisation says", async ({ expect }) => {
    const spans = await sdkSpans();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
    const decoded = ours(bytes) as DecodedTraces;
    expect(decoded).toEqual(referenceDecode(bytes));
    expect(decoded.spans).toHaveLength(6);
    expect(decoded).toEqual(decodeJson(JsonTraceSerializer.serializeRequest(spans)!));
    const call = decoded.spans.find((s) => s.status.code === 2)!;
    expect(call.status).toEqual({ code: 2, message: "rate limited" });
    expect(call.attributes.get("gen_ai.request.stop_sequences")).toEqual(["END", "STOP"]);
    expect(call.attributes.get("gen_ai.request.temperature")).toBe(0.25);
    expect(call.attributes.get("gen_ai.usage.input_tokens")).toBe(903);
    expect(String(call.attributes.get("gen_ai.input.messages"))).toContain("é ü 你好");
    expect(call.events[0]).toMatchObject({ name: "gen_ai.choice", attributes: new Map<string, AttrValue>([["index", 3], ["finish.reason", "stop"]]) });
    expect(call.resource.get("deployment.environment")).toBe("ci");
  });

  it("on every attribute value kind, nested lists, negative and large integers and a __proto__ key", ({ expect }) => {
    const bytes = encode({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "kinds" } }] },
          scopeSpans: [
            {
              scope: { name: "lib", version: "2.1" },
              spans: [
                {
                  traceId: TRACE_ID,
                  spanId: spanIdOf(1),
                  name: "kinds",
                  kind: 3,
                  startTimeUnixNano: START as unknown as number,
                  endTimeUnixNano: "1764000000999999999" as unknown as number,
                  attributes: [
                    { key: "s", value: { stringValue: "" } },
                    { key: "b", value: { boolValue: false } },
                    { key: "neg", value: { intValue: -42 } },
                    { key: "big", value: { intValue: "9007199254740993" as unknown as number } },
                    { key: "min", value: { intValue: "-9223372036854775808" as unknown as number } },
                    { key: "d", value: { doubleValue: -1.5e-300 } },
                    { key: "bytes", value: { bytesValue: Uint8Array.from([0, 255, 7]) } },
                    { key: "empty" },
                    { key: "", value: { stringValue: "a key-less attribute is dropped" } },
                    { key: "list", value: { arrayValue: { values: [{ intValue: 1 }, { arrayValue: { values: [{ stringValue: "deep" }, {}] } }] } } },
                    { key: "map", value: { kvlistValue: { values: [{ key: "__proto__", value: { stringValue: "plain key" } }, { key: "n", value: { kvlistValue: { values: [{ key: "x", value: { doubleValue: 2 } }] } } }] } } },
                    { key: "dup", value: { stringValue: "first" } },
                    { key: "dup", value: { stringValue: "last wins" } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const decoded = ours(bytes) as DecodedTraces;
    expect(decoded).toEqual(referenceDecode(bytes));
    const attrs = decoded.spans[0]!.attributes;
    expect(Object.fromEntries(attrs)).toEqual({
      s: "",
      b: false,
      neg: -42,
      big: 9007199254740992,
      min: -9223372036854775808,
      d: -1.5e-300,
      bytes: "AP8H",
      empty: null,
      list: [1, ["deep", null]],
      map: JSON.parse('{"__proto__":"plain key","n":{"x":2}}'),
      dup: "last wins",
    });
    expect(Object.getPrototypeOf(attrs.get("map"))).toBe(Object.prototype);
    expect(decoded.spans[0]).toMatchObject({ startMs: 1764000000123, endMs: 1764000000999, kind: 3, scope: { name: "lib", version: "2.1" } });
  });

  it("reports unusable spans as items, in request order, beside the good ones", ({ expect }) => {
    const span = (n: number, extra: Record<string, unknown>) => ({ traceId: TRACE_ID, spanId: spanIdOf(n), name: `s${n}`, startTimeUnixNano: START as unknown as number, ...extra });
    const bytes = encode({
      resourceSpans: [
        { scopeSpans: [{ spans: [span(1, {}), span(2, { spanId: new Uint8Array(8) }), span(3, { traceId: new Uint8Array(15).fill(1) })] }] },
        { scopeSpans: [{ spans: [span(4, { parentSpanId: Uint8Array.from([1, 2, 3]) }), span(5, { startTimeUnixNano: 0 }), span(6, { parentSpanId: spanIdOf(1) })] }] },
      ],
    });
    const decoded = ours(bytes) as DecodedTraces;
    expect(decoded).toEqual(referenceDecode(bytes));
    expect(decoded.spans.map((s) => [s.index, s.name, s.parentSpanId])).toEqual([
      [0, "s1", ""],
      [5, "s6", "0000000000000001"],
    ]);
    expect(decoded.malformed).toEqual([
      { index: 1, spanId: null, reason: "spanId must be 8 bytes, not all zero" },
      { index: 2, spanId: "0000000000000003", reason: "traceId must be 16 bytes, not all zero" },
      { index: 3, spanId: "0000000000000004", reason: "parentSpanId must be empty or 8 bytes" },
      { index: 4, spanId: "0000000000000005", reason: "startTimeUnixNano is required" },
    ]);
  });

  it("reads fields in any order, skips unknown fields of every wire type and merges a repeated message", ({ expect }) => {
    const w = plainWriter();
    // ResourceSpans with scope_spans (2) before resource (1), and the resource sent twice.
    w.uint32((1 << 3) | 2).fork();
    {
      w.uint32((2 << 3) | 2).fork();
      {
        // ScopeSpans: the span (2) before the scope (1), then an unknown field of each wire type.
        w.uint32((2 << 3) | 2).fork();
        {
          w.uint32((99 << 3) | 0).uint64(123456789012);
          w.uint32((98 << 3) | 1).fixed64(7);
          w.uint32((97 << 3) | 5).fixed32(7);
          w.uint32((96 << 3) | 3).uint32((1 << 3) | 0).uint32(5).uint32((96 << 3) | 4); // a group
          w.uint32((5 << 3) | 0).uint32(1); // name sent with the wrong wire type: skipped
          w.uint32((5 << 3) | 2).string("late-name");
          w.uint32((1 << 3) | 2).bytes(TRACE_ID);
          w.uint32((2 << 3) | 2).bytes(spanIdOf(9));
          w.uint32((7 << 3) | 1).fixed64(1764000000000000000);
          w.uint32((15 << 3) | 2).fork().uint32((3 << 3) | 0).int32(2).ldelim();
          w.uint32((15 << 3) | 2).fork().uint32((2 << 3) | 2).string("merged").ldelim();
        }
        w.ldelim();
        w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string("scope-after").ldelim();
      }
      w.ldelim();
      w.uint32((1 << 3) | 2).fork();
      w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string("a").uint32((2 << 3) | 2).fork().uint32((1 << 3) | 2).string("1").ldelim().ldelim();
      w.ldelim();
      w.uint32((1 << 3) | 2).fork();
      w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string("b").uint32((2 << 3) | 2).fork().uint32((3 << 3) | 0).int64(2).ldelim().ldelim();
      w.ldelim();
    }
    w.ldelim();
    const bytes = w.finish();
    const decoded = ours(bytes) as DecodedTraces;
    expect(decoded).toEqual(referenceDecode(bytes));
    expect(decoded.spans[0]).toMatchObject({
      name: "late-name",
      spanId: "0000000000000009",
      startMs: 1764000000000,
      status: { code: 2, message: "merged" },
      scope: { name: "scope-after", version: "" },
    });
    expect(Object.fromEntries(decoded.spans[0]!.resource)).toEqual({ a: "1", b: 2 });
  });

  it("refuses bodies that are not protobuf, as the generated decoder does", ({ expect }) => {
    // Built by hand: the generated encoder refuses to write past the limit too.
    const delimited = (tag: number, body: Uint8Array) => plainWriter().uint32(tag).bytes(body).finish();
    const nested = (levels: number) => {
      let value = pb.common.v1.AnyValue.encode({ stringValue: "bottom" }, plainWriter()).finish();
      for (let i = 0; i < levels; i++) value = delimited((5 << 3) | 2, delimited((1 << 3) | 2, value));
      const attribute = plainWriter().uint32((1 << 3) | 2).string("deep").uint32((2 << 3) | 2).bytes(value).finish();
      const span = plainWriter().uint32((1 << 3) | 2).bytes(TRACE_ID).uint32((2 << 3) | 2).bytes(spanIdOf(1)).uint32((7 << 3) | 1).fixed64(1764000000000000000).uint32((9 << 3) | 2).bytes(attribute).finish();
      return delimited((1 << 3) | 2, delimited((2 << 3) | 2, delimited((2 << 3) | 2, span)));
    };
    const cases: [string, Uint8Array][] = [
      ["text", new TextEncoder().encode("\u00ff\u00ffnot protobuf at all")],
      ["a length past the end", Uint8Array.from([0x0a, 0x05, 0x12])],
      ["wire type 7", Uint8Array.from([0x0f])],
      ["invalid UTF-8 in a name", encode({ resourceSpans: [{ scopeSpans: [{ scope: { name: "x" } }] }] }).map((b) => (b === 0x78 ? 0xff : b))],
      ["a ten-byte varint cut short", Uint8Array.from([0x08, 0xff, 0xff, 0xff])],
      ["nesting beyond protoc's limit of 100", nested(50)],
    ];
    for (const [name, bytes] of cases) {
      expect(ours(bytes), name).toBe("refused");
      expect(referenceDecode(bytes), name).toBe("refused");
    }
    // Just inside the limit both read it; one level more and both refuse.
    expect(ours(nested(48))).toBe("refused");
    expect(referenceDecode(nested(48))).toBe("refused");
    const inside = nested(47);
    expect(ours(inside)).toEqual(referenceDecode(inside));
    expect(ours(inside)).not.toBe("refused");
    expect(ours(new Uint8Array(0))).toEqual({ spans: [], malformed: [] });
  });

  it("never throws anything but UndecodableBody on corrupted bytes", async ({ expect }) => {
    const base = ProtobufTraceSerializer.serializeRequest(await sdkSpans())!;
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let refused = 0;
    for (let round = 0; round < 500; round++) {
      const bytes = Uint8Array.from(base);
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const result = ours(bytes); // rethrows anything else
      if (result === "refused") refused++;
    }
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(500);
  });
});
