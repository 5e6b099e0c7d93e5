// Shapes shared by the generator, the sender and the scorer.

/** One event as sent to POST /v1/events (spec 4.2); timestamps are epoch ms. */
export type LabEvent = { id: string; type: string; execution_id: string; timestamp: number } & Record<string, unknown>;

export interface LabExecution {
  id: string;
  tenant: string;
  events: LabEvent[];
}

/** Executions that belong together and are sent in one request: a run tree, or an episode. */
export interface Unit {
  id: string;
  start: number;
  end: number;
  executions: LabExecution[];
}

/**
 * clean: no injection; target: an injection's finding is expected here; member: touched by an
 * injection, no finding of its class expected here; context: a clean run with a signal inside a
 * window episode, where Vigil may attach the episode's window finding (see the report).
 */
export type Role = "clean" | "target" | "member" | "context";

export interface TruthExecution {
  execution_id: string;
  unit_id: string;
  role: Role;
  injection_id: string | null;
  mode: string | null;
  /** Classes a finding on this execution may legitimately have (empty for clean executions). */
  allowed_classes: string[];
  /** What the run would have been without the injection. */
  clean_run: string;
}

export interface Injection {
  id: string;
  mode: string;
  failure_class: string;
  variant: string;
  unit_id: string;
  /** Every execution the injection touched. */
  executions: string[];
  /** Where a finding of `failure_class` counts as detecting this injection. */
  detect_on: string[];
  /** The event that completes the pattern: its send time starts the latency clock. */
  completing_event_id: string;
  completing_execution_id: string;
  /** Other classes the injection legitimately causes, per execution (documented per mode). */
  implied: Record<string, string[]>;
  /** Corpus attribution of any text used. */
  source: string | null;
  description: string;
  /** What the clean run would have been. */
  clean_run: string;
}

export interface GroundTruth {
  seed: number;
  base_time: number;
  options: Record<string, unknown>;
  injections: Injection[];
  executions: TruthExecution[];
}

export interface Traffic {
  units: Unit[];
  truth: GroundTruth;
}
