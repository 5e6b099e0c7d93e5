// What the Worker and the execution object say to each other over RPC.
import type { ExecutionSnapshot } from "../shared/outbox.ts";
import type { DetectorSettings } from "../../workers/core/detector-settings.ts";
import type { FailureClass, Severity } from "../../workers/core/failure-classes.ts";
import type { JsonObject } from "../../workers/core/json.ts";
import type { RunMetrics } from "./run-metrics.ts";

/** A finding the edge's content scanners made on one event (data leakage, injection, sandbox). */
export interface ContentFinding {
  failure_class: FailureClass;
  signature: string;
  severity: Severity;
  /** Where in the event it was found; never the matched value. */
  path: string;
}

/** One event, validated and redacted at the edge, its timestamp resolved. */
export interface PreparedEvent {
  id: string;
  ts: number;
  /** The event as stored: JSON text, secrets already redacted. */
  json: string;
  contentFindings: readonly ContentFinding[];
}

export interface ExecutionBatch {
  projectId: string;
  executionId: string;
  settings: DetectorSettings;
  events: readonly PreparedEvent[];
}

export interface HaltDirective {
  execution_id: string;
  action: "halt";
  failure_class: FailureClass;
  signature: string;
  group_id: string;
}

export interface ExecutionBatchResult {
  accepted: number;
  duplicates: number;
  directive: HaltDirective | null;
  /**
   * The run's D1 executions row after this batch (null when nothing was accepted). The Worker hands
   * it to the project object, which writes the rows of many runs to D1 in one batch.
   */
  snapshot: ExecutionSnapshot | null;
  /**
   * The batch id of the events this call stored (`event_batches.first_seq`), null when it stored
   * none. The project object applies their signals once per (execution, batch).
   */
  batch: number | null;
  /** Each duplicate event's id and the batch that first stored it (null: stored before batches were kept). */
  earlier: { id: string; batch: number | null }[];
}

export interface FindingView {
  failure_class: FailureClass;
  signature: string;
  severity: Severity;
  group_id: string;
  first_seen: string | null;
  last_seen: string | null;
  occurrences: number;
  first_event_id: string;
  detail: JsonObject;
}

export interface ExecutionView {
  execution: {
    id: string;
    name: string | null;
    status: string;
    tenant_id: string | null;
    parent_execution_id: string | null;
    release: string | null;
    environment: string | null;
    policy: JsonObject | null;
    started_at: string | null;
    last_event_at: string | null;
    finished_at: string | null;
    event_count: number;
    steps: number;
    /** Reported by execution_finished, else finish minus start; for a running run, elapsed so far. */
    duration_ms: number;
  };
  events: JsonObject[];
  next_cursor: string | null;
  findings: FindingView[];
  halt: HaltDirective | null;
  /** The run's incremental metrics record (run-metrics.ts); the read API turns it into the run summary. */
  metrics: RunMetrics;
}
