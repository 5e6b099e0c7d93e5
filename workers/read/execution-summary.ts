// The run summary (GET /v1/executions/{id}/summary, and `summary` in GET /v1/executions/{id}): the
// run's status, its metrics, one problem per finding with the fix its playbook suggests first, the
// key decisions (failed calls first) and a short narrative a person reads in ten seconds. Built
// only from what the execution object returns: its incrementally kept metrics record and findings,
// never a rescan of the events.
import type { ExecutionView, FindingView } from "../../durable-objects/execution/rpc-types.ts";
import type { KeyDecision, RunMetrics, RunStatus } from "../../durable-objects/execution/run-metrics.ts";
import { DECISIONS_MAX, failedCalls, runStatus } from "../../durable-objects/execution/run-metrics.ts";
import type { TriageCategory } from "../core/failure-classes.ts";
import { CLASS_INFO, severityRank } from "../core/failure-classes.ts";
import { LOOP_CLASSES } from "../core/loop-classes.ts";
import { isoTime } from "../core/time.ts";
import { findPlaybook } from "../playbooks/lookup.ts";
import { tryFirstText } from "../playbooks/try-first.ts";

export interface SummaryProblem {
  failure_class: string;
  signature: string;
  severity: string;
  category: TriageCategory;
  group_id: string;
  occurrences: number;
  first_seen: string | null;
  /** The first advice of the playbook's "Try first" section, as plain text. */
  suggested_fix: { playbook_id: string; title: string; text: string | null } | null;
}

export interface SummaryDecision {
  event_id: string;
  type: string;
  timestamp: string | null;
  label: string;
  failed: boolean;
}

export interface RunSummary {
  status: RunStatus;
  /** `running` or the execution_finished status as sent (crashed, timeout, halted, ...). */
  raw_status: string;
  halted: boolean;
  name: string | null;
  duration_ms: number;
  events: number;
  steps: number;
  findings: number;
  metrics: ReturnType<typeof metricsView>;
  problems: SummaryProblem[];
  key_decisions: SummaryDecision[];
  narrative: string;
}

export function summarizeExecution(view: ExecutionView): RunSummary {
  const raw = view.execution.status;
  const loopFired = view.findings.some((f) => LOOP_CLASSES.has(f.failure_class));
  const status = runStatus(raw, loopFired);
  const m = view.metrics;
  // Most severe first, then in the order they were found: the first problem is the one to read.
  const ordered = [...view.findings].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.first_seen ?? "").localeCompare(b.first_seen ?? ""),
  );
  const problems = ordered.map(problemOf);
  const summary: Omit<RunSummary, "narrative"> = {
    status,
    raw_status: raw,
    halted: view.halt !== null,
    name: view.execution.name,
    duration_ms: view.execution.duration_ms,
    events: view.execution.event_count,
    steps: view.execution.steps,
    findings: view.findings.length,
    metrics: metricsView(m),
    problems,
    key_decisions: keyDecisions(m),
  };
  return { ...summary, narrative: narrativeOf(summary, m, ordered, view) };
}

function problemOf(f: FindingView): SummaryProblem {
  const playbook = findPlaybook(f.failure_class, f.signature);
  return {
    failure_class: f.failure_class,
    signature: f.signature,
    severity: f.severity,
    category: CLASS_INFO[f.failure_class].category,
    group_id: f.group_id,
    occurrences: f.occurrences,
    first_seen: f.first_seen,
    suggested_fix: playbook ? { playbook_id: playbook.id, title: playbook.title, text: tryFirstText(playbook.id, playbook.markdown) } : null,
  };
}

function metricsView(m: RunMetrics) {
  const calls = m.llm.calls + m.tools.calls;
  const ok = m.llm.ok + m.tools.ok;
  return {
    steps: calls,
    llm_calls: { total: m.llm.calls, succeeded: m.llm.ok, failed: m.llm.failed },
    tool_calls: { total: m.tools.calls, succeeded: m.tools.ok, failed: m.tools.failed },
    failed_calls: failedCalls(m),
    /** Successful LLM and tool calls over all of them; null before the first call. */
    success_rate: calls === 0 ? null : round(ok / calls, 4),
    tokens: { input: m.llm.input_tokens, output: m.llm.output_tokens, total: m.llm.input_tokens + m.llm.output_tokens },
    latency_ms: {
      llm: latencyView(m.llm),
      tool: latencyView(m.tools),
    },
    cost_usd: round(m.llm.cost_usd, 6),
    unpriced_llm_calls: m.llm.unpriced,
    validators: { checks: m.validators.checks, failed: m.validators.failed },
    human_interventions: m.human_interventions,
    agents: m.agents,
    agents_truncated: m.agents_truncated,
    handoffs: m.handoffs,
    handoff_edges: m.edges,
    handoff_edges_truncated: m.edges_dropped > 0,
  };
}

function latencyView(s: RunMetrics["tools"]) {
  return {
    total: round(s.latency_ms_total, 3),
    mean: s.latency_samples === 0 ? null : round(s.latency_ms_total / s.latency_samples, 1),
    max: s.latency_samples === 0 ? null : s.latency_ms_max,
    samples: s.latency_samples,
  };
}

/** Failures first (failed calls, validator failures, a bad ending), then handoffs and people, each in time order. */
function keyDecisions(m: RunMetrics): SummaryDecision[] {
  const view = (d: KeyDecision): SummaryDecision => ({ event_id: d.event_id, type: d.type, timestamp: isoTime(d.ts), label: d.label, failed: d.failed });
  return [...m.failures, ...m.decisions].slice(0, DECISIONS_MAX).map(view);
}

const STATUS_PHRASES: Record<string, string> = {
  completed: "completed",
  crashed: "crashed",
  failed: "failed",
  halted: "was halted",
  timeout: "timed out",
  validation_failed: "failed validation",
  cancelled: "was cancelled",
};

function narrativeOf(s: Omit<RunSummary, "narrative">, m: RunMetrics, ordered: readonly FindingView[], view: ExecutionView): string {
  const sentences: string[] = [];
  const who = agentsPhrase(m.agents, m.agents_truncated);
  const run = `The ${s.name ? `${s.name} run` : "run"}${who ? ` by ${who}` : ""}`;
  const verb =
    s.status === "stuck"
      ? "looks stuck (still running, in a loop)"
      : s.status === "running"
        ? "is still running"
        : (STATUS_PHRASES[s.raw_status] ?? `ended ${s.raw_status}`);
  const failed = failedCalls(m);
  const calls = `${plural(m.llm.calls, "LLM call")}, ${plural(m.tools.calls, "tool call")}${failed > 0 ? `, ${failed} failed` : ""}`;
  const cost = m.llm.cost_usd > 0 ? `, costing ${usd(m.llm.cost_usd)}` : "";
  const time = s.duration_ms > 0 ? ` in ${duration(s.duration_ms)}` : "";
  sentences.push(`${run} ${verb} after ${plural(s.steps, "step")} (${calls})${time}${cost}.`);

  const top = ordered[0];
  if (!top) {
    sentences.push("Vigil found no failure in it.");
  } else {
    // The count rides on the problem sentence, so the narrative stays at four sentences at most.
    sentences.push(`${problemSentence(top)}${ordered.length > 1 ? `, the most severe of ${ordered.length} problems` : ""}.`);
    const fix = s.problems[0]?.suggested_fix?.text;
    if (fix) sentences.push(`Try first: ${firstSentence(fix)}`);
  }
  if (view.halt) sentences.push(`Vigil told it to halt on ${view.halt.failure_class}.`);
  return sentences.join(" ");
}

/** The most severe finding in words (for the classes people meet most), without its final period. */
function problemSentence(f: FindingView): string {
  const d = f.detail;
  const model = f.signature.includes("/") ? f.signature.slice(f.signature.lastIndexOf("/") + 1) : f.signature;
  switch (f.failure_class) {
    case "identical_call_loop":
      return `It looped: the same call to ${model} was repeated ${typeof d.repeats === "number" ? `${d.repeats} times` : "again and again"} (identical_call_loop)`;
    case "similar_call_loop":
      return `It looped: ${typeof d.similar_calls === "number" ? `${d.similar_calls} nearly identical calls` : "nearly identical calls"} to ${model} (similar_call_loop)`;
    case "semantic_loop":
      return `It went round in circles: the state at ${f.signature} kept coming back (semantic_loop)`;
    case "token_waste":
      return `It wasted tokens resending the same content to ${model} (token_waste)`;
    case "tool_failure":
      return `The tool call ${f.signature} failed ${plural(f.occurrences, "time")} (tool_failure)`;
    case "crash":
      return `It crashed with ${f.signature} (crash)`;
    default:
      return `It hit ${f.failure_class} (${f.signature}, ${f.severity} severity)`;
  }
}

function agentsPhrase(agents: readonly string[], truncated: boolean): string {
  if (agents.length === 0) return "";
  if (agents.length === 1) return `agent ${agents[0]}`;
  const shown = agents.slice(0, 2).join(", ");
  const more = agents.length - 2 + (truncated ? 1 : 0);
  return `agents ${shown}${more > 0 ? ` and ${more}${truncated ? "+" : ""} more` : ""}`;
}

function firstSentence(text: string): string {
  const match = /^(.{20,220}?[.!?])(\s|$)/.exec(text);
  const sentence = match ? match[1]! : text.length > 220 ? `${text.slice(0, 219)}…` : text;
  return /[.!?…]$/.test(sentence) ? sentence : `${sentence.replace(/:$/, "")}.`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function usd(value: number): string {
  if (value >= 1) return `$${value.toFixed(2)}`;
  return `$${Number(value.toPrecision(2))}`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 120) return `${Number(seconds.toPrecision(seconds < 10 ? 2 : 3))} s`;
  const minutes = seconds / 60;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  return `${Number((minutes / 60).toPrecision(2))} h`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
