// Shared shapes of the content scanners (data leakage, prompt injection, sandbox escape).
// The scanners are pure functions over strings: no I/O, no globals beyond Web APIs, so the same
// modules run in workerd, in Vitest and under Node 22's type stripping (the eval script).

/** Same union as `workers/core/failure-classes.ts`; repeated so this library has no upward import. */
export type Severity = "low" | "medium" | "high" | "critical";

export type ScanFailureClass = "data_leakage" | "prompt_injection" | "sandbox_escape";

export interface ScanFinding {
  failure_class: ScanFailureClass;
  /** Rule id / technique / pattern class, per docs/conventions.md. Never contains the matched value. */
  signature: string;
  severity: Severity;
  /** Where in the event the first hit was, e.g. `messages[2].content` or `arguments.cmd`. */
  path: string;
}

/** One secret located in one string: offsets into that string, never the value itself. */
export interface SecretMatch {
  rule: string;
  severity: Severity;
  start: number;
  end: number;
}

/** A hit of the injection or sandbox detectors on one string. */
export interface PatternHit {
  signature: string;
  severity: Severity;
}
