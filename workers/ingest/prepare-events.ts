// Turns the items of an ingest body into prepared events or per-item rejections. A bad item never
// costs the good ones beside it; messages are written here, never raw validator output.
import type { z } from "zod";
import type { PreparedEvent } from "../../durable-objects/execution/rpc-types.ts";
import type { ProjectSignal } from "../../durable-objects/project/signals.ts";
import { projectSignalsOf } from "./project-signals.ts";
import type { VigilEvent } from "./event-schema.ts";
import { EVENT_TYPES, eventSchema } from "./event-schema.ts";
import { compile } from "./event-fast-check.ts";
import type { CompiledCustomRule } from "../scanners/custom-rules.ts";
import { scanContent } from "./content-scan.ts";

export const MAX_EVENTS_PER_REQUEST = 1000;
export const MAX_EVENT_BYTES = 64 * 1024;

export const REJECTION_CODES = ["invalid_event", "unknown_event_type", "event_too_large"] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  index: number;
  id: string | null;
  code: RejectionCode;
  message: string;
  path: string;
}

export interface PreparedBatch {
  /** Valid events by execution id, in arrival order. */
  byExecution: Map<string, PreparedEvent[]>;
  rejected: Rejection[];
  /** Repeats of an id within this same request: duplicates, never errors. */
  duplicatesInRequest: number;
  /** What the project object needs from these events (idempotent by event id). */
  signals: ProjectSignal[];
}

const encoder = new TextEncoder();

/** True only for events zod accepts unchanged: those are kept as parsed (event-fast-check.ts). */
const acceptedAsIs = compile(eventSchema);

function jsonPath(index: number, path: readonly PropertyKey[]): string {
  let out = `events[${index}]`;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "event";
  switch (issue.code) {
    case "invalid_type":
      return value === undefined ? `${field} is required` : `${field} must be ${issue.expected === "int" ? "an integer" : `of type ${issue.expected}`}`;
    case "invalid_value":
      return `${field} must be one of: ${issue.values.map(String).join(", ")}`;
    case "too_big":
      return `${field} is too ${issue.origin === "string" || issue.origin === "array" ? "long" : "large"}`;
    case "too_small":
      return `${field} is too ${issue.origin === "string" || issue.origin === "array" ? "short" : "small"}`;
    case "invalid_union":
      return field === "timestamp" ? "timestamp must be an RFC 3339 string or epoch milliseconds" : `${field} has an invalid shape`;
    case "invalid_format":
      return `${field} is not a valid ${issue.format}`;
    case "custom":
      return value === undefined ? `${field} is required` : `${field} is invalid`;
    default:
      return `${field} is invalid`;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function resolveTimestamp(value: string | number | undefined, arrival: number): number {
  if (value === undefined) return arrival;
  return typeof value === "number" ? value : Date.parse(value);
}

/**
 * Validates, size-checks, scans and redacts each item. `bodyBytes` lets small bodies skip the
 * per-event size measurement: no event can exceed 64 KiB inside a body smaller than that.
 */
export interface PrepareOptions {
  /** Arrival time, the timestamp of events that carry none. */
  arrival?: number;
  /** The project's compiled custom secret rules (content-scan.ts customRulesFor). */
  customRules?: readonly CompiledCustomRule[];
}

export function prepareEvents(items: readonly unknown[], bodyBytes: number, options: PrepareOptions = {}): PreparedBatch {
  const arrival = options.arrival ?? Date.now();
  const byExecution = new Map<string, PreparedEvent[]>();
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  let duplicatesInRequest = 0;
  const measure = bodyBytes > MAX_EVENT_BYTES;
  const signals: ProjectSignal[] = [];

  items.forEach((item, index) => {
    const rawId = item !== null && typeof item === "object" ? (item as Record<string, unknown>).id : undefined;
    const id = typeof rawId === "string" ? rawId : null;
    const reject = (code: RejectionCode, message: string, path: string) => rejected.push({ index, id, code, message, path });

    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      reject("invalid_event", "an event must be a JSON object", `events[${index}]`);
      return;
    }
    const type = (item as Record<string, unknown>).type;
    if (typeof type !== "string" || !(EVENT_TYPES as readonly string[]).includes(type)) {
      reject("unknown_event_type", `type must be one of: ${EVENT_TYPES.join(", ")}`, `events[${index}].type`);
      return;
    }
    let event: VigilEvent;
    if (acceptedAsIs(item)) event = item as VigilEvent;
    else {
      const parsed = eventSchema.safeParse(item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        reject("invalid_event", describeIssue(issue, valueAt(item, issue.path)), jsonPath(index, issue.path));
        return;
      }
      event = parsed.data;
    }
    const ts = resolveTimestamp(event.timestamp, arrival);
    if (seen.has(event.id)) {
      duplicatesInRequest++;
      return;
    }
    seen.add(event.id);
    const scanned = scanContent(event as Record<string, unknown>, options.customRules);
    const json = JSON.stringify(scanned.event);
    // Measured once, on the JSON that is stored; a string of n UTF-16 units is at most 3n bytes.
    if (measure && json.length * 3 > MAX_EVENT_BYTES) {
      const size = encoder.encode(json).byteLength;
      if (size > MAX_EVENT_BYTES) {
        reject("event_too_large", `the event is ${size} bytes of JSON; the limit is ${MAX_EVENT_BYTES}`, `events[${index}]`);
        return;
      }
    }
    for (const signal of projectSignalsOf(scanned.event as typeof event, ts)) signals.push(signal);
    const prepared: PreparedEvent = { id: event.id, ts, json, contentFindings: scanned.findings };
    const list = byExecution.get(event.execution_id);
    if (list) list.push(prepared);
    else byExecution.set(event.execution_id, [prepared]);
  });
  return { byExecution, rejected, duplicatesInRequest, signals };
}
