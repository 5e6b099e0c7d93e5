// OTLP/protobuf ExportTraceServiceRequest -> OtelSpan[]. The wire decoding is protobufjs's static
// code generated from the official opentelemetry-proto files (`npm run otel:proto`): no reflection,
// so nothing needs eval or new Function, which workerd forbids.
import $protobuf from "protobufjs/minimal.js";
import { opentelemetry } from "./generated/otlp-trace.js";
import type { AttrValue, Attributes, DecodedTraces, OtelSpan } from "./span.ts";
import { UndecodableBody, bytesToHex, checkId, nanosToMs } from "./span.ts";

const v1 = opentelemetry.proto;
type KeyValue = opentelemetry.proto.common.v1.KeyValue.$Properties;
type AnyValue = opentelemetry.proto.common.v1.AnyValue.$Properties;

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function anyValue(v: AnyValue | null | undefined): AttrValue {
  if (!v) return null;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) return typeof v.intValue === "number" ? v.intValue : v.intValue.toNumber();
  if (v.doubleValue != null) return v.doubleValue;
  if (v.arrayValue != null) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue != null) {
    const out: Record<string, AttrValue> = {};
    for (const kv of v.kvlistValue.values ?? []) {
      if (kv.key) Object.defineProperty(out, kv.key, { value: anyValue(kv.value), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (v.bytesValue != null) return base64(v.bytesValue);
  return null;
}

export function attributesOf(list: readonly KeyValue[] | null | undefined): Attributes {
  const map: Attributes = new Map();
  for (const kv of list ?? []) if (kv.key) map.set(kv.key, anyValue(kv.value));
  return map;
}

export function decodeProtobuf(bytes: Uint8Array): DecodedTraces {
  let request: opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  try {
    request = v1.collector.trace.v1.ExportTraceServiceRequest.decode(bytes);
  } catch {
    throw new UndecodableBody("The body is not a protobuf ExportTraceServiceRequest.");
  }
  const out: DecodedTraces = { spans: [], malformed: [] };
  let index = 0;
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? "", version: ss.scope?.version ?? "" };
      for (const s of ss.spans ?? []) {
        const at = index++;
        const spanId = s.spanId ? bytesToHex(s.spanId) : "";
        const traceId = s.traceId ? bytesToHex(s.traceId) : "";
        const parentSpanId = s.parentSpanId && s.parentSpanId.length > 0 ? bytesToHex(s.parentSpanId) : "";
        if (!checkId(spanId, 8)) {
          out.malformed.push({ index: at, spanId: null, reason: "spanId must be 8 bytes, not all zero" });
          continue;
        }
        if (!checkId(traceId, 16)) {
          out.malformed.push({ index: at, spanId, reason: "traceId must be 16 bytes, not all zero" });
          continue;
        }
        if (parentSpanId !== "" && !checkId(parentSpanId, 8)) {
          out.malformed.push({ index: at, spanId, reason: "parentSpanId must be empty or 8 bytes" });
          continue;
        }
        const startMs = nanosToMs(s.startTimeUnixNano);
        if (!(startMs > 0)) {
          out.malformed.push({ index: at, spanId, reason: "startTimeUnixNano is required" });
          continue;
        }
        const span: OtelSpan = {
          index: at,
          traceId,
          spanId,
          parentSpanId,
          name: s.name ?? "",
          kind: s.kind ?? 0,
          startMs,
          endMs: nanosToMs(s.endTimeUnixNano),
          attributes: attributesOf(s.attributes),
          events: (s.events ?? []).map((e) => ({ name: e.name ?? "", timeMs: nanosToMs(e.timeUnixNano), attributes: attributesOf(e.attributes) })),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? "" },
          resource,
          scope,
        };
        out.spans.push(span);
      }
    }
  }
  return out;
}

/**
 * A Uint8Array writer. protobufjs picks its Buffer writer whenever a global Buffer exists, and under
 * workerd's nodejs_compat that Buffer's utf8Write rejects the arguments protobufjs passes for
 * strings of 40 characters and more; the plain writer is portable and as fast for small messages.
 */
export function plainWriter(): $protobuf.Writer {
  return new $protobuf.Writer();
}

/** The OTLP success body in protobuf: empty, or a partial success. */
export function encodeProtobufResponse(rejectedSpans: number, errorMessage: string): Uint8Array<ArrayBuffer> {
  if (rejectedSpans === 0 && errorMessage === "") return new Uint8Array(0);
  return v1.collector.trace.v1.ExportTraceServiceResponse.encode({ partialSuccess: { rejectedSpans, errorMessage } }, plainWriter()).finish() as Uint8Array<ArrayBuffer>;
}
