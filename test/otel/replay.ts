// Rebuilds OTLP/JSON export requests from the Langfuse framework traces
// (../shared/corpora/langfuse-framework-traces, MIT, see its SOURCE.md), as SOURCE.md describes:
// one span per observation, resource and scope from the kept OpenTelemetry metadata, the ORIGINAL
// span attributes where Langfuse kept them. Observations written by the Langfuse SDK itself kept no
// attributes; for those the SDK's own attribute names (langfuse.observation.*) are filled from the
// stored fields, and they are counted apart in the report because their model and token values are
// then Langfuse's by construction. Shared by scripts/eval-otel.ts and the corpus test.
import { plainWriter } from "../../workers/otel/decode-protobuf.ts";
import { opentelemetry } from "../../workers/otel/generated/otlp-trace.js";

export interface LangfuseObservation {
  id: string;
  traceId: string;
  parentObservationId: string | null;
  type: string;
  name: string;
  startTime: string;
  endTime: string | null;
  model: string | null;
  usageDetails: Record<string, number> | null;
  input: unknown;
  output: unknown;
  level: string | null;
  statusMessage: string | null;
  metadata: unknown;
}

export interface LangfuseTrace {
  trace: { id: string; name: string | null };
  observations: LangfuseObservation[];
}

export interface ReplayedObservation {
  observation: LangfuseObservation;
  spanId: string;
  /** Attributes kept from the original instrumentation (false: rebuilt from Langfuse's fields). */
  original: boolean;
  scope: string;
  attributes: Record<string, unknown>;
}

export interface Replay {
  request: { resourceSpans: unknown[] };
  traceId: string;
  observations: ReplayedObservation[];
}

/** FNV-1a, 64 bits, as hex: stable ids for observation ids that are not already span ids. */
function fnv64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

function spanIdOf(id: string): string {
  return /^[0-9a-f]{16}$/i.test(id) ? id.toLowerCase() : fnv64(id);
}

function traceIdOf(id: string): string {
  return /^[0-9a-f]{32}$/i.test(id) ? id.toLowerCase() : fnv64(id) + fnv64(`${id}#2`);
}

function parseObject(v: unknown): Record<string, unknown> | null {
  if (typeof v === "string") {
    try {
      return parseObject(JSON.parse(v));
    } catch {
      return null;
    }
  }
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function anyValue(v: unknown): unknown {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v === null || v === undefined) return { stringValue: "" };
  return { stringValue: JSON.stringify(v) };
}

function keyValues(obj: Record<string, unknown>): unknown[] {
  return Object.entries(obj).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function nanos(iso: string | null): string {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? `${ms}000000` : "0";
}

function asText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The Langfuse SDK's own attributes for an observation it wrote (names from its OTel attribute list). */
function langfuseSdkAttributes(o: LangfuseObservation): Record<string, unknown> {
  const out: Record<string, unknown> = { "langfuse.observation.type": o.type.toLowerCase() };
  if (o.model) out["langfuse.observation.model.name"] = o.model;
  if (o.usageDetails && Object.keys(o.usageDetails).length > 0) out["langfuse.observation.usage_details"] = JSON.stringify(o.usageDetails);
  const input = asText(o.input);
  if (input !== undefined) out["langfuse.observation.input"] = input;
  const output = asText(o.output);
  if (output !== undefined) out["langfuse.observation.output"] = output;
  if (o.level && o.level !== "DEFAULT") out["langfuse.observation.level"] = o.level;
  if (o.statusMessage) out["langfuse.observation.status_message"] = o.statusMessage;
  return out;
}

export function replayTrace(file: LangfuseTrace): Replay {
  const traceId = traceIdOf(file.trace.id);
  const groups = new Map<string, { resource: Record<string, unknown>; scope: { name: string; version: string }; spans: unknown[] }>();
  const observations: ReplayedObservation[] = [];
  for (const o of file.observations) {
    const metadata = parseObject(o.metadata) ?? {};
    const kept = parseObject(metadata.attributes);
    const scopeObj = parseObject(metadata.scope) ?? {};
    const scope = { name: typeof scopeObj.name === "string" ? scopeObj.name : "", version: typeof scopeObj.version === "string" ? scopeObj.version : "" };
    const resource = parseObject(metadata.resourceAttributes) ?? {};
    const original = kept !== null && Object.keys(kept).length > 0;
    const attributes = original ? kept : langfuseSdkAttributes(o);
    const spanId = spanIdOf(o.id);
    const span = {
      traceId,
      spanId,
      ...(o.parentObservationId ? { parentSpanId: spanIdOf(o.parentObservationId) } : {}),
      name: o.name,
      kind: 1,
      startTimeUnixNano: nanos(o.startTime),
      endTimeUnixNano: nanos(o.endTime ?? o.startTime),
      attributes: keyValues(attributes),
      ...(o.level === "ERROR" ? { status: { code: 2, message: o.statusMessage ?? "" } } : {}),
    };
    const key = JSON.stringify([resource, scope]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { resource, scope, spans: [] }));
    group.spans.push(span);
    observations.push({ observation: o, spanId, original, scope: scope.name, attributes });
  }
  const resourceSpans = [...groups.values()].map((g) => ({
    resource: { attributes: keyValues(g.resource) },
    scopeSpans: [{ scope: g.scope, spans: g.spans }],
  }));
  return { request: { resourceSpans }, traceId, observations };
}

/** The framework a corpus file belongs to: its name without the capture date. */
export function frameworkOf(fileName: string): string {
  return fileName.replace(/-\d{4}-\d{2}-\d{2}\.trace\.json$/, "");
}

/** Whether the kept attributes carried token counts at all (else Langfuse counted tokens itself). */
export function hasTokenAttributes(attributes: Record<string, unknown>): boolean {
  return Object.keys(attributes).some((k) => /token|usage/i.test(k) && !/details/.test(k));
}

// ---- OTLP/JSON -> protobuf, for replaying the same requests in the other encoding ----


type JsonObj = Record<string, unknown>;
type PbAnyValue = opentelemetry.proto.common.v1.AnyValue.$Properties;

function hexBytes(hex: unknown): Uint8Array {
  const s = typeof hex === "string" ? hex : "";
  return Uint8Array.from({ length: s.length / 2 }, (_, i) => parseInt(s.slice(i * 2, i * 2 + 2), 16));
}

function pbValue(v: JsonObj): PbAnyValue {
  if ("stringValue" in v) return { stringValue: String(v.stringValue) };
  if ("intValue" in v) return { intValue: Number(v.intValue) };
  if ("doubleValue" in v) return { doubleValue: Number(v.doubleValue) };
  if ("boolValue" in v) return { boolValue: Boolean(v.boolValue) };
  if ("arrayValue" in v) return { arrayValue: { values: ((v.arrayValue as JsonObj).values as JsonObj[]).map(pbValue) } };
  return {};
}

function pbAttributes(list: unknown): opentelemetry.proto.common.v1.KeyValue.$Properties[] {
  return ((list as JsonObj[] | undefined) ?? []).map((kv) => ({ key: String(kv.key), value: pbValue(kv.value as JsonObj) }));
}

/** The protobuf encoding of an OTLP/JSON request built by replayTrace (what a protobuf exporter would send). */
export function toProtobuf(request: { resourceSpans: unknown[] }): Uint8Array {
  const message: opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.$Properties = {
    resourceSpans: (request.resourceSpans as JsonObj[]).map((rs) => ({
      resource: { attributes: pbAttributes((rs.resource as JsonObj).attributes) },
      scopeSpans: (rs.scopeSpans as JsonObj[]).map((ss) => ({
        scope: ss.scope as { name: string; version: string },
        spans: (ss.spans as JsonObj[]).map((s) => ({
          traceId: hexBytes(s.traceId),
          spanId: hexBytes(s.spanId),
          ...(s.parentSpanId ? { parentSpanId: hexBytes(s.parentSpanId) } : {}),
          name: String(s.name),
          kind: Number(s.kind),
          // Decimal strings: protobufjs reads them exactly into 64 bits, a Number would round.
          startTimeUnixNano: String(s.startTimeUnixNano) as unknown as number,
          endTimeUnixNano: String(s.endTimeUnixNano) as unknown as number,
          attributes: pbAttributes(s.attributes),
          ...(s.status ? { status: s.status as { code: number; message: string } } : {}),
        })),
      })),
    })),
  };
  return opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.encode(message, plainWriter()).finish();
}
