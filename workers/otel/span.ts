// The one span shape that both OTLP encodings decode into and every dialect mapper reads. Ids are
// lowercase hex (the OTLP/JSON form), times are epoch milliseconds (what events carry), attribute
// values are plain JSON values, so mappers never see protobuf or wire details.

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };

/** Attribute maps are `Map`s: attribute keys come from the client and may be `__proto__`. */
export type Attributes = Map<string, AttrValue>;

/** OTLP span status codes (trace.proto `Status.StatusCode`). */
export const STATUS_UNSET = 0;
export const STATUS_OK = 1;
export const STATUS_ERROR = 2;

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

export interface OtelSpan {
  /** Position of the span in the request, counted over all resources and scopes. */
  index: number;
  traceId: string;
  spanId: string;
  /** Empty for a trace's root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  events: SpanEvent[];
  status: { code: number; message: string };
  resource: Attributes;
  scope: { name: string; version: string };
}

/** A span that could not be read: rejected as an item (partialSuccess), never the request. */
export interface MalformedSpan {
  index: number;
  spanId: string | null;
  reason: string;
}

export interface DecodedTraces {
  spans: OtelSpan[];
  malformed: MalformedSpan[];
}

/** Thrown for a body that is not an ExportTraceServiceRequest at all: answered 400, never retried. */
export class UndecodableBody extends Error {
  override readonly name = "UndecodableBody";
}

const HEX = /^[0-9a-f]+$/;

/** Validates a decoded id: right length, hex, not all zeros (the OTLP spec's invalid id). */
export function checkId(hex: string, bytes: number): boolean {
  return hex.length === bytes * 2 && HEX.test(hex) && !/^0+$/.test(hex);
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]!]!;
  return out;
}

/** A binary id as hex when it has the right length and is not all zeros (the OTLP spec's invalid id), else null. */
export function idFromBytes(bytes: Uint8Array | null | undefined, length: number): string | null {
  if (!bytes || bytes.length !== length) return null;
  let any = 0;
  for (let i = 0; i < length; i++) any |= bytes[i]!;
  return any === 0 ? null : bytesToHex(bytes);
}

/** Nanoseconds (as a number, a decimal string or a Long-like) to epoch milliseconds. */
export function nanosToMs(value: unknown): number {
  // A double cannot hold today's nanosecond times exactly (about 1.8e18 > 2^53): a millisecond-
  // aligned time may read as ...999872 ns, so allow a microsecond of slack before flooring.
  if (typeof value === "number") return Math.floor(value / 1e6 + 1e-3);
  if (typeof value === "bigint") return Number(value / 1_000_000n);
  if (typeof value === "string") {
    if (!/^\d{1,20}$/.test(value)) return Number.NaN;
    // Drop the last six digits instead of dividing a double: exact for any 64-bit value.
    return value.length <= 6 ? 0 : Number(value.slice(0, -6));
  }
  if (value !== null && typeof value === "object" && typeof (value as { div?: unknown }).div === "function") {
    // protobufjs hands fixed64 over as a long.js Long: divide exactly before leaving 64-bit integers.
    return (value as { div(n: number): { toNumber(): number } }).div(1_000_000).toNumber();
  }
  return value === undefined || value === null ? 0 : Number.NaN;
}

// ---- attribute readers shared by the dialect mappers ----

export function attrString(attrs: Attributes, key: string): string | undefined {
  const v = attrs.get(key);
  if (typeof v === "string") return v.length > 0 ? v : undefined;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** Counts arrive as ints, doubles or numeric strings depending on the SDK: all are accepted. */
export function attrInt(attrs: Attributes, key: string): number | undefined {
  const v = attrs.get(key);
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d+(\.0+)?\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}

/** A JSON value from an attribute that holds JSON text (most SDKs) or a structured value. */
export function attrJson(attrs: Attributes, key: string): AttrValue | undefined {
  const v = attrs.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") return v;
  return parseMaybeJson(v);
}

export function parseMaybeJson(text: string): AttrValue {
  const t = text.trimStart();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(text) as AttrValue;
    } catch {
      return text;
    }
  }
  return text;
}

export function firstString(attrs: Attributes, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = attrString(attrs, k);
    if (v !== undefined) return v;
  }
  return undefined;
}

export function firstInt(attrs: Attributes, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const v = attrInt(attrs, k);
    if (v !== undefined) return v;
  }
  return undefined;
}

export function firstJson(attrs: Attributes, keys: readonly string[]): AttrValue | undefined {
  for (const k of keys) {
    const v = attrJson(attrs, k);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Collects flattened, indexed attributes (`prefix.N.rest`) into an array of objects keyed by
 * `rest`: `gen_ai.prompt.0.role` + `gen_ai.prompt.0.content` -> `[{role, content}]`.
 */
export function collectIndexed(attrs: Attributes, prefix: string): Map<string, AttrValue>[] {
  const rows: Map<string, AttrValue>[] = [];
  for (const [key, value] of attrs) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf(".");
    if (dot <= 0) continue;
    const index = Number(rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 0 || index > 10_000) continue;
    let row = rows[index];
    if (!row) rows[index] = row = new Map();
    row.set(rest.slice(dot + 1), value);
  }
  return rows.filter((r): r is Map<string, AttrValue> => r !== undefined);
}
