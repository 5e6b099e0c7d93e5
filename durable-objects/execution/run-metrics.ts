// The run's metrics, kept incrementally: each accepted event is folded into one bounded record as it
// arrives, persisted (table `run_metrics`, see storage-schema.md) in the same transaction as the
// event, so reading a summary never rescans the events table and eviction loses nothing. The record
// stays bounded however long the run: agents, handoff edges and key decisions are capped lists.
import type { ModelPrice } from "../../workers/core/model-prices.ts";
import { callCostUsd } from "../../workers/core/model-prices.ts";
import type { ObservedEvent } from "./detectors/types.ts";

/** Distinct agent roles kept; a run with more marks the list truncated. */
export const AGENTS_MAX = 50;
/** Distinct handoff edges kept with counts; handoffs on further edges are counted as dropped. */
export const EDGES_MAX = 100;
/** Most recent entries kept per decision list (failures, and other decisions). */
export const DECISIONS_MAX = 20;
/** Labels are built from names and error types only, each part cut short: never payloads or messages. */
const LABEL_PART_MAX = 48;

export interface CallStats {
  calls: number;
  ok: number;
  failed: number;
  /** Sum and count of the reported latency_ms (calls without one are not averaged). */
  latency_ms_total: number;
  latency_samples: number;
  latency_ms_max: number;
}

export interface KeyDecision {
  event_id: string;
  type: string;
  /** Event time, epoch ms. */
  ts: number;
  label: string;
  failed: boolean;
}

export interface HandoffEdge {
  from: string;
  to: string;
  count: number;
}

export interface RunMetrics {
  version: 1;
  llm: CallStats & {
    input_tokens: number;
    output_tokens: number;
    cost_usd: number;
    /** LLM calls whose cost is unknown: no cost_usd, and no tokens or no price for the model. */
    unpriced: number;
  };
  tools: CallStats;
  validators: { checks: number; failed: number };
  handoffs: number;
  human_interventions: number;
  /** Distinct agent roles in first-seen order (so agents[0] is the run's first agent). */
  agents: string[];
  agents_truncated: boolean;
  edges: HandoffEdge[];
  /** Handoffs on edges beyond EDGES_MAX, counted but not kept. */
  edges_dropped: number;
  /** What the execution_finished event reported, if it came. */
  finish: { duration_ms: number | null; error_type: string | null };
  /** The most recent failed calls, validator failures and bad endings, in event-time order. */
  failures: KeyDecision[];
  /** The most recent handoffs and human interventions, in event-time order. */
  decisions: KeyDecision[];
}

/** The run status people read, mapped from the raw finish status (kept beside it). */
export type RunStatus = "running" | "completed" | "failed" | "stuck" | "cancelled";

function emptyCallStats(): CallStats {
  return { calls: 0, ok: 0, failed: 0, latency_ms_total: 0, latency_samples: 0, latency_ms_max: 0 };
}

export function emptyRunMetrics(): RunMetrics {
  return {
    version: 1,
    llm: { ...emptyCallStats(), input_tokens: 0, output_tokens: 0, cost_usd: 0, unpriced: 0 },
    tools: emptyCallStats(),
    validators: { checks: 0, failed: 0 },
    handoffs: 0,
    human_interventions: 0,
    agents: [],
    agents_truncated: false,
    edges: [],
    edges_dropped: 0,
    finish: { duration_ms: null, error_type: null },
    failures: [],
    decisions: [],
  };
}

/** Rebuilds the record from its stored JSON; fields added later start from their empty value. */
export function reviveRunMetrics(stored: unknown): RunMetrics {
  const empty = emptyRunMetrics();
  if (typeof stored !== "object" || stored === null) return empty;
  const s = stored as Partial<RunMetrics>;
  return {
    ...empty,
    ...s,
    llm: { ...empty.llm, ...s.llm },
    tools: { ...empty.tools, ...s.tools },
    validators: { ...empty.validators, ...s.validators },
    finish: { ...empty.finish, ...s.finish },
    version: 1,
  };
}

/** Folds one newly accepted event into the record. Constant work per event (lists are capped). */
export function observeRunMetrics(m: RunMetrics, event: ObservedEvent, prices: Readonly<Record<string, ModelPrice>>): void {
  if (event.agent) addAgent(m, event.agent);
  switch (event.type) {
    case "llm_call": {
      const failed = event.status === "error";
      countCall(m.llm, failed, event.latency_ms);
      m.llm.input_tokens += event.input_tokens ?? 0;
      m.llm.output_tokens += event.output_tokens ?? 0;
      const cost = callCostUsd(event, prices);
      if (cost === null) m.llm.unpriced++;
      else m.llm.cost_usd += cost;
      if (failed) {
        const why = event.error?.class ?? event.error?.type ?? (event.error?.http_status !== undefined ? `HTTP ${event.error.http_status}` : "error");
        remember(m.failures, event, `${agentPrefix(event.agent)}${short(event.model)} call failed (${short(why)})`, true);
      }
      break;
    }
    case "tool_call": {
      const failed = event.status === "failed";
      countCall(m.tools, failed, event.latency_ms);
      if (failed) remember(m.failures, event, `${agentPrefix(event.agent)}tool ${short(event.tool)} failed (${short(event.error?.type ?? "error")})`, true);
      break;
    }
    case "validator_check":
      m.validators.checks++;
      if (event.status === "failed") {
        m.validators.failed++;
        remember(m.failures, event, `validator ${short(event.validator)} failed (${short(event.category ?? "failed")})`, true);
      }
      break;
    case "agent_handoff": {
      m.handoffs++;
      addAgent(m, event.from_agent);
      addAgent(m, event.to_agent);
      const edge = m.edges.find((e) => e.from === event.from_agent && e.to === event.to_agent);
      if (edge) edge.count++;
      else if (m.edges.length < EDGES_MAX) m.edges.push({ from: event.from_agent, to: event.to_agent, count: 1 });
      else m.edges_dropped++;
      remember(m.decisions, event, `handoff ${short(event.from_agent)} → ${short(event.to_agent)}${event.kind ? ` (${event.kind})` : ""}`, false);
      break;
    }
    case "human_intervention": {
      m.human_interventions++;
      const bad = event.response_kind !== "approved" && event.response_kind !== "edited";
      remember(m.decisions, event, `human ${event.response_kind}${event.agent ? ` for ${short(event.agent)}` : ""}`, bad);
      break;
    }
    case "execution_finished":
      m.finish.duration_ms = event.duration_ms ?? null;
      m.finish.error_type = event.error?.type ? short(event.error.type) : null;
      if (event.status !== "completed") {
        remember(m.failures, event, `run ended ${event.status}${event.error?.type ? ` (${short(event.error.type)})` : ""}`, true);
      }
      break;
    default:
      break;
  }
}

export function runStatus(rawStatus: string, loopFired: boolean): RunStatus {
  switch (rawStatus) {
    case "running":
      return loopFired ? "stuck" : "running";
    case "completed":
      return "completed";
    case "cancelled":
      return "cancelled";
    default:
      // crashed, failed, halted, timeout, validation_failed: the raw status is kept beside it.
      return "failed";
  }
}

/**
 * The run's duration: what execution_finished reported, else finish minus start in event time; for
 * a running run, the time elapsed so far between its first and latest events.
 */
export function runDurationMs(row: { started_at: number; last_event_at: number; finished_at: number | null }, m: RunMetrics): number {
  if (row.finished_at !== null) return Math.max(0, Math.round(m.finish.duration_ms ?? row.finished_at - row.started_at));
  return Math.max(0, row.last_event_at - row.started_at);
}

/** Failed LLM and tool calls: the count the summary and D1 call "failed calls". */
export function failedCalls(m: RunMetrics): number {
  return m.llm.failed + m.tools.failed;
}

function countCall(stats: CallStats, failed: boolean, latencyMs: number | undefined): void {
  stats.calls++;
  if (failed) stats.failed++;
  else stats.ok++;
  if (latencyMs !== undefined) {
    stats.latency_ms_total += latencyMs;
    stats.latency_samples++;
    stats.latency_ms_max = Math.max(stats.latency_ms_max, latencyMs);
  }
}

function addAgent(m: RunMetrics, agent: string): void {
  if (m.agents.includes(agent)) return;
  // Stored as sent (the edge caps agent names at 256 characters), so membership stays exact.
  if (m.agents.length < AGENTS_MAX) m.agents.push(agent);
  else m.agents_truncated = true;
}

/** Keeps the list in event-time order and only its DECISIONS_MAX most recent entries. */
function remember(list: KeyDecision[], event: ObservedEvent, label: string, failed: boolean): void {
  let at = list.length;
  while (at > 0 && list[at - 1]!.ts > event.ts) at--;
  list.splice(at, 0, { event_id: event.id, type: event.type, ts: event.ts, label, failed });
  if (list.length > DECISIONS_MAX) list.shift();
}

function agentPrefix(agent: string | undefined): string {
  return agent ? `${short(agent)}: ` : "";
}

/** One line, no control characters, at most `max` characters. */
function short(text: string, max = LABEL_PART_MAX): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point here
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The columns each outbox flush writes to D1's executions row, for analytics across runs. */
export interface RunMetricsColumns {
  run_status: RunStatus;
  duration_ms: number;
  cost_usd: number;
  llm_calls: number;
  tool_calls: number;
  failed_calls: number;
  tokens: number;
}

export function runMetricsColumns(
  row: { status: string; started_at: number; last_event_at: number; finished_at: number | null },
  m: RunMetrics,
  loopFired: boolean,
): RunMetricsColumns {
  return {
    run_status: runStatus(row.status, loopFired),
    duration_ms: runDurationMs(row, m),
    cost_usd: m.llm.cost_usd,
    llm_calls: m.llm.calls,
    tool_calls: m.tools.calls,
    failed_calls: failedCalls(m),
    tokens: m.llm.input_tokens + m.llm.output_tokens,
  };
}
