// The 23 failure classes of spec section 5, each bound to one triage category whose remediation
// route is fixed. This table is data: the read API, playbooks and digests all read it from here.

export const FAILURE_CLASSES = [
  "crash",
  "time_budget_exceeded",
  "step_count_exceeded",
  "tool_failure",
  "validator_failure",
  "prompt_injection",
  "cost_velocity",
  "drift",
  "identical_call_loop",
  "similar_call_loop",
  "data_leakage",
  "infrastructure_throttled",
  "context_overflow",
  "token_waste",
  "semantic_loop",
  "tool_schema_drift",
  "grounding_failure",
  "cascading_failure",
  "coordination_deadlock",
  "provider_incident",
  "sandbox_escape",
  "hitl_timeout",
  "hitl_rejection_spike",
] as const;

export type FailureClass = (typeof FAILURE_CLASSES)[number];

const CLASS_SET: ReadonlySet<string> = new Set(FAILURE_CLASSES);
export function isFailureClass(value: string): value is FailureClass {
  return CLASS_SET.has(value);
}

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export const TRIAGE_CATEGORIES = ["prompt", "code", "data", "scope", "operations"] as const;
export type TriageCategory = (typeof TRIAGE_CATEGORIES)[number];

export const REMEDIATION_ROUTES: Record<TriageCategory, string> = {
  prompt: "A prompt or few-shot edit",
  code: "A code, tool or configuration fix, or turning the step into deterministic code",
  data: "The data owner",
  scope: "Scope work or a human escalation",
  operations: "Operations: provider and infrastructure",
};

interface ClassInfo {
  category: TriageCategory;
  /** Severity of a finding when its detector does not say otherwise. */
  severity: Severity;
}

export const CLASS_INFO: Record<FailureClass, ClassInfo> = {
  crash: { category: "code", severity: "high" },
  time_budget_exceeded: { category: "scope", severity: "medium" },
  step_count_exceeded: { category: "scope", severity: "medium" },
  tool_failure: { category: "code", severity: "medium" },
  validator_failure: { category: "prompt", severity: "medium" },
  prompt_injection: { category: "scope", severity: "high" },
  cost_velocity: { category: "operations", severity: "medium" },
  drift: { category: "prompt", severity: "low" },
  identical_call_loop: { category: "code", severity: "high" },
  similar_call_loop: { category: "prompt", severity: "medium" },
  data_leakage: { category: "data", severity: "critical" },
  infrastructure_throttled: { category: "operations", severity: "low" },
  context_overflow: { category: "code", severity: "high" },
  token_waste: { category: "code", severity: "low" },
  semantic_loop: { category: "prompt", severity: "medium" },
  tool_schema_drift: { category: "code", severity: "medium" },
  grounding_failure: { category: "prompt", severity: "medium" },
  cascading_failure: { category: "code", severity: "high" },
  coordination_deadlock: { category: "code", severity: "high" },
  provider_incident: { category: "operations", severity: "high" },
  sandbox_escape: { category: "scope", severity: "critical" },
  hitl_timeout: { category: "scope", severity: "medium" },
  hitl_rejection_spike: { category: "prompt", severity: "medium" },
};
