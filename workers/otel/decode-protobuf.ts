// OTLP/protobuf ExportTraceServiceRequest -> OtelSpan[], read straight off the wire.
//
// Why by hand: the generated protobufjs decoder (still used to encode responses, and by the tests as
// the reference this reader must agree with) builds a message object for every attribute, key and
// value, and its oneof and "absent field" handling deletes properties, which drops those objects into
// V8's slow dictionary mode. That made decoding cost twice the JSON path per event. This reader walks
// the same bytes once and builds only what the mappers read. Field numbers are those of
// opentelemetry-proto v1 (workers/otel/proto); the semantics follow protobuf's: unknown fields and
// fields of the wrong wire type are skipped, a repeated singular scalar keeps its last value, a
// repeated singular message is merged, oneof members replace each other.
import $protobuf from "protobufjs/minimal.js";
import { opentelemetry } from "./generated/otlp-trace.js";
import type { AttrValue, Attributes, DecodedTraces, OtelSpan, SpanEvent } from "./span.ts";
import { UndecodableBody, idFromBytes } from "./span.ts";

const v1 = opentelemetry.proto;

/** protoc's default recursion limit, which protobufjs shares: deeper nesting is not a real request. */
const MAX_DEPTH = 100;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const FIXED32 = 5;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function truncated(): never {
  throw new UndecodableBody("The body is not a protobuf ExportTraceServiceRequest.");
}

class WireReader {
  readonly buf: Uint8Array;
  pos = 0;
  private view: DataView | undefined;

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  /** A varint's low 32 bits as an unsigned number; the rest of a longer varint is consumed. */
  uint32(): number {
    const buf = this.buf;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= buf.length) truncated();
      const b = buf[this.pos++]!;
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
      shift += 7;
    }
    return truncated();
  }

  /** An int64 varint as the nearest double (negative values are ten-byte two's complement). */
  int64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= buf.length) truncated();
      const b = buf[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) return (hi | 0) * 4294967296 + (lo >>> 0);
    }
    return truncated();
  }

  /** A fixed64 count of nanoseconds as epoch milliseconds, exactly (a double cannot hold the nanoseconds). */
  fixed64Ms(): number {
    if (this.pos + 8 > this.buf.length) truncated();
    const lo = this.u32le(this.pos);
    const hi = this.u32le(this.pos + 4);
    this.pos += 8;
    // hi * 2^32 = hi * 4294 * 10^6 + hi * 967296, and hi * 967296 + lo stays below 2^53.
    const rest = hi * 967296 + lo;
    let q = Math.floor(rest / 1e6);
    if (q * 1e6 > rest) q--;
    return hi * 4294 + q;
  }

  double(): number {
    if (this.pos + 8 > this.buf.length) truncated();
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** Reads a length prefix; returns where the delimited field ends. */
  end(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.buf.length) truncated();
    return end;
  }

  bytes(): Uint8Array {
    const end = this.end();
    const out = this.buf.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  string(): string {
    const end = this.end();
    const start = this.pos;
    this.pos = end;
    if (end - start < 32) {
      // Keys and names are short ASCII: one call builds the string without entering the decoder.
      const b = this.buf;
      let ascii = 0;
      for (let i = start; i < end; i++) ascii |= b[i]!;
      if (ascii < 0x80) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
    }
    return strictUtf8.decode(this.buf.subarray(start, end));
  }

  skip(wireType: number, depth: number): void {
    switch (wireType) {
      case VARINT:
        this.uint32();
        return;
      case FIXED64:
        this.advance(8);
        return;
      case LENGTH_DELIMITED:
        this.pos = this.end();
        return;
      case START_GROUP:
        if (depth > MAX_DEPTH) truncated();
        for (;;) {
          const tag = this.uint32();
          if ((tag & 7) === END_GROUP) return;
          this.skip(tag & 7, depth + 1);
        }
      case FIXED32:
        this.advance(4);
        return;
      default:
        truncated();
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.buf.length) truncated();
    this.pos += n;
  }

  private u32le(at: number): number {
    const b = this.buf;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** AnyValue (common.proto); `previous` is the value already read for the same field, which a repeated array or kvlist extends. */
function readAnyValue(r: WireReader, end: number, depth: number, previous: AttrValue): AttrValue {
  if (depth > MAX_DEPTH) truncated();
  let value: AttrValue = previous;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LENGTH_DELIMITED: // string_value
        value = r.string();
        break;
      case (2 << 3) | VARINT: // bool_value
        value = r.uint32() !== 0;
        break;
      case (3 << 3) | VARINT: // int_value
        value = r.int64();
        break;
      case (4 << 3) | FIXED64: // double_value
        value = r.double();
        break;
      case (5 << 3) | LENGTH_DELIMITED: { // array_value: ArrayValue { repeated AnyValue values = 1 }
        const list: AttrValue[] = Array.isArray(value) ? value : [];
        const listEnd = r.end();
        while (r.pos < listEnd) {
          const inner = r.uint32();
          if (inner === ((1 << 3) | LENGTH_DELIMITED)) list.push(readAnyValue(r, r.end(), depth + 2, null));
          else r.skip(inner & 7, depth + 1);
        }
        if (r.pos !== listEnd) truncated();
        value = list;
        break;
      }
      case (6 << 3) | LENGTH_DELIMITED: { // kvlist_value: KeyValueList { repeated KeyValue values = 1 }
        const object: Record<string, AttrValue> = value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
        const listEnd = r.end();
        while (r.pos < listEnd) {
          const inner = r.uint32();
          if (inner === ((1 << 3) | LENGTH_DELIMITED)) {
            const [key, item] = readKeyValue(r, r.end(), depth + 2);
            // defineProperty, not assignment: a client's "__proto__" key must stay a plain key.
            if (key) Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
          } else r.skip(inner & 7, depth + 1);
        }
        if (r.pos !== listEnd) truncated();
        value = object;
        break;
      }
      case (7 << 3) | LENGTH_DELIMITED: // bytes_value
        value = base64(r.bytes());
        break;
      case (8 << 3) | VARINT: // string_value_strindex: a profiles dictionary index, meaningless in traces
        r.uint32();
        value = null;
        break;
      default: // unknown fields and known ones of another wire type are skipped, as protobuf says
        r.skip(tag & 7, depth);
    }
  }
  if (r.pos !== end) truncated();
  return value;
}

/** KeyValue (common.proto): key = 1, value = 2. */
function readKeyValue(r: WireReader, end: number, depth: number): [string, AttrValue] {
  if (depth > MAX_DEPTH) truncated();
  let key = "";
  let value: AttrValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) key = r.string();
    else if (tag === ((2 << 3) | LENGTH_DELIMITED)) value = readAnyValue(r, r.end(), depth + 1, value);
    else r.skip(tag & 7, depth);
  }
  if (r.pos !== end) truncated();
  return [key, value];
}

function readAttributeInto(r: WireReader, into: Attributes, depth: number): void {
  const [key, value] = readKeyValue(r, r.end(), depth);
  if (key) into.set(key, value);
}

/** Span.Event (trace.proto): time_unix_nano = 1, name = 2, attributes = 3. */
function readSpanEvent(r: WireReader, end: number, depth: number): SpanEvent {
  const event: SpanEvent = { name: "", timeMs: 0, attributes: new Map() };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | FIXED64)) event.timeMs = r.fixed64Ms();
    else if (tag === ((2 << 3) | LENGTH_DELIMITED)) event.name = r.string();
    else if (tag === ((3 << 3) | LENGTH_DELIMITED)) readAttributeInto(r, event.attributes, depth + 1);
    else r.skip(tag & 7, depth);
  }
  if (r.pos !== end) truncated();
  return event;
}

/** Status (trace.proto): message = 2, code = 3. Merged into `status`, as a repeated message field is. */
function readStatus(r: WireReader, end: number, status: { code: number; message: string }, depth: number): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((2 << 3) | LENGTH_DELIMITED)) status.message = r.string();
    else if (tag === ((3 << 3) | VARINT)) status.code = r.uint32() | 0;
    else r.skip(tag & 7, depth);
  }
  if (r.pos !== end) truncated();
}

interface ScopeRef {
  name: string;
  version: string;
}

/**
 * Span (trace.proto). Returns the span, or why it cannot be used; the caller numbers it. Resource and
 * scope are filled in by the caller once their own messages are read, since protobuf lets a message's
 * fields arrive in any order.
 */
function readSpan(r: WireReader, end: number, depth: number, index: number, resource: Attributes, scope: ScopeRef): OtelSpan | { spanId: string | null; reason: string } {
  let traceIdBytes: Uint8Array | undefined;
  let spanIdBytes: Uint8Array | undefined;
  let parentBytes: Uint8Array | undefined;
  let name = "";
  let kind = 0;
  let startMs = 0;
  let endMs = 0;
  const attributes: Attributes = new Map();
  const events: SpanEvent[] = [];
  const status = { code: 0, message: "" };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LENGTH_DELIMITED:
        traceIdBytes = r.bytes();
        break;
      case (2 << 3) | LENGTH_DELIMITED:
        spanIdBytes = r.bytes();
        break;
      case (4 << 3) | LENGTH_DELIMITED:
        parentBytes = r.bytes();
        break;
      case (5 << 3) | LENGTH_DELIMITED:
        name = r.string();
        break;
      case (6 << 3) | VARINT:
        kind = r.uint32() | 0;
        break;
      case (7 << 3) | FIXED64:
        startMs = r.fixed64Ms();
        break;
      case (8 << 3) | FIXED64:
        endMs = r.fixed64Ms();
        break;
      case (9 << 3) | LENGTH_DELIMITED:
        readAttributeInto(r, attributes, depth + 1);
        break;
      case (11 << 3) | LENGTH_DELIMITED:
        events.push(readSpanEvent(r, r.end(), depth + 1));
        break;
      case (15 << 3) | LENGTH_DELIMITED:
        readStatus(r, r.end(), status, depth + 1);
        break;
      default: // trace_state, flags, links and the dropped counts are not read by any mapper
        r.skip(tag & 7, depth);
    }
  }
  if (r.pos !== end) truncated();

  const spanId = idFromBytes(spanIdBytes, 8);
  if (spanId === null) return { spanId: null, reason: "spanId must be 8 bytes, not all zero" };
  const traceId = idFromBytes(traceIdBytes, 16);
  if (traceId === null) return { spanId, reason: "traceId must be 16 bytes, not all zero" };
  const parentSpanId = parentBytes && parentBytes.length > 0 ? idFromBytes(parentBytes, 8) : "";
  if (parentSpanId === null) return { spanId, reason: "parentSpanId must be empty or 8 bytes" };
  if (!(startMs > 0)) return { spanId, reason: "startTimeUnixNano is required" };
  return { index, traceId, spanId, parentSpanId, name, kind, startMs, endMs, attributes, events, status, resource, scope };
}

/** ScopeSpans (trace.proto): scope = 1 (InstrumentationScope: name = 1, version = 2), spans = 2. */
function readScopeSpans(r: WireReader, end: number, depth: number, out: DecodedTraces, resource: Attributes): void {
  const scope: ScopeRef = { name: "", version: "" };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) {
      const scopeEnd = r.end();
      while (r.pos < scopeEnd) {
        const inner = r.uint32();
        if (inner === ((1 << 3) | LENGTH_DELIMITED)) scope.name = r.string();
        else if (inner === ((2 << 3) | LENGTH_DELIMITED)) scope.version = r.string();
        else r.skip(inner & 7, depth + 1);
      }
      if (r.pos !== scopeEnd) truncated();
    } else if (tag === ((2 << 3) | LENGTH_DELIMITED)) {
      const index = out.spans.length + out.malformed.length;
      const span = readSpan(r, r.end(), depth + 1, index, resource, scope);
      if ("reason" in span) out.malformed.push({ index, spanId: span.spanId, reason: span.reason });
      else out.spans.push(span);
    } else r.skip(tag & 7, depth);
  }
  if (r.pos !== end) truncated();
}

/** ResourceSpans (trace.proto): resource = 1 (Resource: attributes = 1), scope_spans = 2. */
function readResourceSpans(r: WireReader, end: number, depth: number, out: DecodedTraces): void {
  // One map for the whole ResourceSpans, filled whenever its resource field arrives, and shared by
  // reference with every span in it.
  const resource: Attributes = new Map();
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) {
      const resourceEnd = r.end();
      while (r.pos < resourceEnd) {
        const inner = r.uint32();
        if (inner === ((1 << 3) | LENGTH_DELIMITED)) readAttributeInto(r, resource, depth + 2);
        else r.skip(inner & 7, depth + 1);
      }
      if (r.pos !== resourceEnd) truncated();
    } else if (tag === ((2 << 3) | LENGTH_DELIMITED)) readScopeSpans(r, r.end(), depth + 1, out, resource);
    else r.skip(tag & 7, depth);
  }
  if (r.pos !== end) truncated();
}

export function decodeProtobuf(bytes: Uint8Array): DecodedTraces {
  const out: DecodedTraces = { spans: [], malformed: [] };
  const r = new WireReader(bytes);
  try {
    while (r.pos < bytes.length) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | LENGTH_DELIMITED)) readResourceSpans(r, r.end(), 1, out);
      else r.skip(tag & 7, 0);
    }
  } catch (err) {
    // Truncation, a bad wire type, nesting past the limit or invalid UTF-8 in a string field.
    if (err instanceof UndecodableBody) throw err;
    throw new UndecodableBody("The body is not a protobuf ExportTraceServiceRequest.");
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
