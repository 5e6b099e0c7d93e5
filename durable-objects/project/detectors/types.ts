// The contract of project-wide detectors. Each sees the batch of new signals of one ingest request
// (already deduplicated by event id) and keeps its windows in the project object's SQLite, indexed,
// so its cost per batch is bounded by the window, never by the project's history.
import type { DetectorSettings } from "../../../workers/core/detector-settings.ts";
import type { FailureClass, Severity } from "../../../workers/core/failure-classes.ts";
import type { ProjectSignal, SignalKind } from "../signals.ts";

export interface ProjectFinding {
  signature: string;
  /** The execution the finding is attributed to (the one whose event completed the pattern). */
  execution_id: string;
  ts: number;
  severity?: Severity;
  detail: Record<string, string | number | boolean | null | string[]>;
}

export interface ProjectDetectorContext {
  sql: SqlStorage;
  settings: DetectorSettings;
  emit(finding: ProjectFinding): void;
  /** Small persistent state (transition flags, last evaluation times), JSON by key. */
  state: { get<T>(key: string): T | undefined; set(key: string, value: unknown): void; delete(key: string): void };
  /** True the first time (key) is claimed: for findings that fire once per edge, cycle or pair. */
  claimOnce(key: string): boolean;
}

export interface ProjectDetector {
  readonly failureClass: FailureClass;
  readonly kinds: readonly SignalKind[];
  observe(signals: readonly ProjectSignal[], ctx: ProjectDetectorContext): void;
}

export function signalsOfKind<K extends SignalKind>(signals: readonly ProjectSignal[], kind: K): Extract<ProjectSignal, { kind: K }>[] {
  return signals.filter((s): s is Extract<ProjectSignal, { kind: K }> => s.kind === kind);
}
