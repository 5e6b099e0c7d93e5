// The contract every per-execution detector implements. Detectors are incremental: `observe` sees
// one event at a time and may only touch its own bounded state, so the cost per event stays flat
// however long the execution runs (no detector rescans history).
import type { DetectorSettings } from "../../../workers/core/detector-settings.ts";
import type { FailureClass, Severity } from "../../../workers/core/failure-classes.ts";
import type { EventType, VigilEvent } from "../../../workers/ingest/event-schema.ts";

/** What the execution object knows about the run, for budget detectors. */
export interface ExecutionFacts {
  name: string | null;
  /** Epoch ms of execution_started, else of the first event seen. */
  startedAt: number;
  maxWallSeconds: number | null;
  maxSteps: number | null;
  /** policy.max_cost_usd: the run's absolute budget, if it has one. */
  maxCostUsd: number | null;
  /** LLM and tool calls so far, including the current event. */
  steps: number;
}

/** An event as detectors see it: validated, redacted, with its timestamp resolved to epoch ms. */
export type ObservedEvent = VigilEvent & { ts: number };

export interface DetectorContext<S> {
  settings: DetectorSettings;
  execution: ExecutionFacts;
  /**
   * The detector's own live state. It is persisted as JSON (through `toJSON` where it has one) in
   * the same transaction as the events that changed it, so eviction loses nothing; call `touch()`
   * after changing it.
   */
  state: S;
  touch(): void;
}

export interface Detection {
  signature: string;
  severity?: Severity;
  /** Why it fired, for people: counts, thresholds, the event id. Never a secret value. */
  detail?: Record<string, string | number | boolean | null | undefined>;
}

export interface ExecutionDetector<S = unknown> {
  readonly failureClass: FailureClass;
  /** Only these event types are dispatched to the detector. */
  readonly eventTypes: readonly EventType[];
  initialState(): S;
  /** Rebuilds live state from its persisted JSON after the object woke up. */
  revive(stored: unknown): S;
  observe(event: ObservedEvent, ctx: DetectorContext<S>): Detection | readonly Detection[] | null;
}

/** Keeps the detector's state type checked at its definition while the registry holds mixed ones. */
export function defineDetector<S>(detector: ExecutionDetector<S>): ExecutionDetector<S> {
  return detector;
}
