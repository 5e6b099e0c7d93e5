// The client's event types are the Worker's own: derived from the zod schemas in
// workers/ingest/event-schema.ts (type-only imports, erased at build time, so the client carries no
// copy of them and cannot disagree with the server).
import type { EventOfType, EventType, VigilEvent } from "../../../workers/ingest/event-schema.ts";
import type { HaltDirective } from "../../../durable-objects/execution/rpc-types.ts";
import type { Rejection } from "../../../workers/ingest/prepare-events.ts";

export type { EventType, HaltDirective, VigilEvent };

/**
 * What a caller gives for one event of a type: the event without its `type` and `execution_id`
 * (the handle supplies them), with `id` optional (the client makes one, once, so retries stay
 * idempotent) and, as on the wire, any extra fields.
 */
export type EventFields<T extends EventType> = Omit<Known<EventOfType<T>>, "type" | "execution_id" | "id"> & {
  id?: string;
  [extra: string]: unknown;
};

/**
 * The declared fields of a loose zod object type, without its `[key: string]: unknown` index
 * signature (plain Omit over such a type would keep only the index signature and lose every field).
 */
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

/** The body of POST /v1/events answers (spec 4.3). */
export interface IngestResponse {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  directives: HaltDirective[];
}

export interface ClientStats {
  /** Events waiting to be sent, and in a request now. */
  queued: number;
  /** Events the server accepted. */
  sent: number;
  /** Events the server already had (a retried request, or an id sent twice). */
  duplicates: number;
  /** Events the server refused, by code (per-item codes, or `http_<status>` for a refused request). */
  rejected: Record<string, number>;
  /** Events dropped by the client: the queue was full, or retries ran out. */
  dropped: number;
  /** Requests sent again after a 429, 503 or network failure. */
  retries: number;
}
