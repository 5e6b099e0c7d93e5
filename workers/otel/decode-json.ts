// OTLP/JSON ExportTraceServiceRequest -> OtelSpan[] (the OTLP/JSON rules: hex ids, integer enums,
// 64-bit integers as strings or numbers, lowerCamelCase keys, unknown fields ignored). A body that is
// not a JSON object is undecodable (400); a span that breaks the rules is rejected alone.
import type { AttrValue, Attributes, DecodedTraces, OtelSpan, SpanEvent } from "./span.ts";
import { UndecodableBody, bytesToHex, checkId, nanosToMs } from "./span.ts";

type Json = Record<string, unknown>;

const decoder = new TextDecoder();

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Hex as the OTLP/JSON spec says; base64 as well, because exporters built on generic proto3 JSON
 * (some Go and Rust collectors' debug paths) send bytes that way. The lengths cannot collide.
 */
function idFrom(v: unknown, bytes: number): string {
  if (typeof v !== "string" || v === "") return "";
  if (v.length === bytes * 2) return v.toLowerCase();
  if (BASE64.test(v) && v.length === Math.ceil(bytes / 3) * 4) {
    try {
      return bytesToHex(Uint8Array.from(atob(v), (c) => c.charCodeAt(0)));
    } catch {
      return v;
    }
  }
  return v;
}

function anyValue(v: unknown, depth: number): AttrValue {
  if (!isObject(v) || depth > 32) return null;
  if ("stringValue" in v) return typeof v.stringValue === "string" ? v.stringValue : String(v.stringValue);
  if ("boolValue" in v) return v.boolValue === true || v.boolValue === "true";
  if ("intValue" in v) {
    const n = Number(v.intValue);
    return Number.isFinite(n) ? n : null;
  }
  if ("doubleValue" in v) {
    const n = Number(v.doubleValue);
    return Number.isFinite(n) ? n : null;
  }
  if ("arrayValue" in v) return list(isObject(v.arrayValue) ? v.arrayValue.values : undefined).map((x) => anyValue(x, depth + 1));
  if ("kvlistValue" in v) {
    const out: Record<string, AttrValue> = {};
    for (const kv of list(isObject(v.kvlistValue) ? v.kvlistValue.values : undefined)) {
      if (isObject(kv) && typeof kv.key === "string" && kv.key !== "") {
        Object.defineProperty(out, kv.key, { value: anyValue(kv.value, depth + 1), enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }
  if ("bytesValue" in v) return typeof v.bytesValue === "string" ? v.bytesValue : null;
  return null;
}

function attributesOf(v: unknown): Attributes {
  const map: Attributes = new Map();
  for (const kv of list(v)) {
    if (isObject(kv) && typeof kv.key === "string" && kv.key !== "") map.set(kv.key, anyValue(kv.value, 0));
  }
  return map;
}

const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

/** Integer enums per OTLP/JSON; enum names tolerated because proto3 JSON writers emit them. */
function enumValue(v: unknown, names: Record<string, number>): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string") return names[v] ?? (/^\d+$/.test(v) ? Number(v) : 0);
  return 0;
}

function readSpan(s: Json, index: number, resource: Attributes, scope: OtelSpan["scope"]): OtelSpan | { reason: string; spanId: string | null } {
  const spanId = idFrom(s.spanId, 8);
  if (!checkId(spanId, 8)) return { reason: "spanId must be 16 hex characters, not all zero", spanId: null };
  const traceId = idFrom(s.traceId, 16);
  if (!checkId(traceId, 16)) return { reason: "traceId must be 32 hex characters, not all zero", spanId };
  const parentSpanId = idFrom(s.parentSpanId, 8);
  if (parentSpanId !== "" && !checkId(parentSpanId, 8)) return { reason: "parentSpanId must be empty or 16 hex characters", spanId };
  const startMs = nanosToMs(s.startTimeUnixNano);
  const endMs = nanosToMs(s.endTimeUnixNano);
  if (!(startMs > 0)) return { reason: "startTimeUnixNano is required", spanId };
  if (!Number.isFinite(endMs)) return { reason: "start and end times must be unsigned 64-bit nanoseconds", spanId };
  if (s.attributes !== undefined && !Array.isArray(s.attributes)) return { reason: "attributes must be an array of key-value pairs", spanId };
  const events: SpanEvent[] = [];
  for (const e of list(s.events)) {
    if (!isObject(e)) continue;
    const timeMs = nanosToMs(e.timeUnixNano);
    events.push({ name: typeof e.name === "string" ? e.name : "", timeMs: Number.isFinite(timeMs) ? timeMs : startMs, attributes: attributesOf(e.attributes) });
  }
  const status = isObject(s.status) ? s.status : {};
  return {
    index,
    traceId,
    spanId,
    parentSpanId,
    name: typeof s.name === "string" ? s.name : "",
    kind: enumValue(s.kind, KIND_NAMES),
    startMs,
    endMs,
    attributes: attributesOf(s.attributes),
    events,
    status: { code: enumValue(status.code, STATUS_NAMES), message: typeof status.message === "string" ? status.message : "" },
    resource,
    scope,
  };
}

export function decodeJson(bytes: Uint8Array): DecodedTraces {
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new UndecodableBody("The body is not valid JSON.");
  }
  if (!isObject(body)) throw new UndecodableBody("The body must be an OTLP/JSON ExportTraceServiceRequest object.");
  if (body.resourceSpans !== undefined && !Array.isArray(body.resourceSpans)) {
    throw new UndecodableBody("resourceSpans must be an array.");
  }
  const out: DecodedTraces = { spans: [], malformed: [] };
  let index = 0;
  for (const rs of list(body.resourceSpans)) {
    if (!isObject(rs)) continue;
    const resource = attributesOf(isObject(rs.resource) ? rs.resource.attributes : undefined);
    for (const ss of list(rs.scopeSpans)) {
      if (!isObject(ss)) continue;
      const sc = isObject(ss.scope) ? ss.scope : {};
      const scope = { name: typeof sc.name === "string" ? sc.name : "", version: typeof sc.version === "string" ? sc.version : "" };
      for (const s of list(ss.spans)) {
        const at = index++;
        if (!isObject(s)) {
          out.malformed.push({ index: at, spanId: null, reason: "a span must be an object" });
          continue;
        }
        const span = readSpan(s, at, resource, scope);
        if ("reason" in span) out.malformed.push({ index: at, spanId: span.spanId, reason: span.reason });
        else out.spans.push(span);
      }
    }
  }
  return out;
}
