// Spans -> plain events of spec 4.2 (section 7's mapping). The output is exactly what a native client
// would have sent to POST /v1/events; validation, redaction, detection and idempotency happen after,
// in the shared ingest path. Ids are `otel:<spanId>` so a re-exported span is a duplicate.
import type { Dialect, SpanRole } from "./dialect.ts";
import { attrNumber, readInt, readJson, readString } from "./dialect.ts";
import { DIALECTS } from "./dialects/index.ts";
import type { AttrValue, OtelSpan } from "./span.ts";
import { STATUS_ERROR, STATUS_UNSET, attrInt, attrString, firstString } from "./span.ts";

export type MappedEvent = Record<string, unknown> & { id: string; type: string; execution_id: string; timestamp: number };

export interface MappedSpans {
  events: MappedEvent[];
  /** For each event, the request index of the span it came from (rejections are per span). */
  sources: number[];
  /** Spans that became no event: HTTP, database, framework internals (counted in ingest health). */
  ignored: number;
  /** Mapped spans per dialect, for ingest health and the mapping report. */
  byDialect: Record<string, number>;
}

export interface MapOptions {
  /** Trim oversized content so that one long prompt does not cost the whole call (spec 4.1's 64 KiB). */
  fitEvents: boolean;
}

const LLM_ERROR_PATTERNS: readonly [RegExp, string][] = [
  [/context.?length|context.?window|maximum context|too many tokens|prompt is too long/i, "context_length_exceeded"],
  [/quota|insufficient.?funds|billing/i, "quota_exhausted"],
  [/rate.?limit|too many requests|\b429\b/i, "rate_limited"],
  [/authenticat|api.?key|permission|unauthori[sz]ed|\b40[13]\b/i, "invalid_api_key"],
  [/overloaded|unavailable|\b503\b|\b529\b/i, "service_unavailable"],
  [/time.?out|timed out|deadline|\b504\b/i, "timeout"],
  [/internal|server.?error|\b50[02]\b/i, "internal_error"],
  [/bad.?request|invalid.?request|not.?found|unprocessable|\b4\d\d\b/i, "client_error"],
];

const HTTP_STATUS_CLASSES: Record<number, string> = {
  400: "client_error",
  401: "invalid_api_key",
  403: "invalid_api_key",
  404: "client_error",
  408: "timeout",
  413: "context_length_exceeded",
  422: "client_error",
  429: "rate_limited",
  500: "internal_error",
  502: "internal_error",
  503: "service_unavailable",
  504: "timeout",
  529: "service_unavailable",
};

/** Who makes a model, for spans that name the model but not the provider. */
const PROVIDER_BY_MODEL: readonly [RegExp, string][] = [
  [/^(gpt-|o[1-9](-|$)|chatgpt|text-embedding|davinci|babbage|omni-)/i, "openai"],
  [/^claude/i, "anthropic"],
  [/gemini|^palm|^gemma/i, "google"],
  [/^(mistral|mixtral|codestral|ministral|magistral|pixtral)/i, "mistral"],
  [/^(command|embed-)/i, "cohere"],
  [/^deepseek/i, "deepseek"],
  [/^grok/i, "xai"],
  [/^(llama|meta-llama)/i, "meta"],
];

function inferProvider(model: string | undefined): string | undefined {
  if (!model) return undefined;
  const bare = model.slice(model.lastIndexOf("/") + 1);
  return PROVIDER_BY_MODEL.find(([re]) => re.test(bare))?.[1];
}

export interface Classified {
  span: OtelSpan;
  dialect: Dialect | null;
  role: SpanRole | null;
}

interface SpanFailure {
  type?: string;
  message?: string;
  stack?: string;
  crashed: boolean;
}

/** Span status ERROR, or an exception event on a span whose status was left unset, is a failure. */
function failureOf(c: Classified): SpanFailure | null {
  const { span } = c;
  const exception = span.events.find((e) => e.name === "exception");
  const stated = c.dialect?.failure?.(span);
  const failed = span.status.code === STATUS_ERROR || (span.status.code === STATUS_UNSET && exception !== undefined) || stated !== undefined;
  if (!failed) return null;
  const type =
    (exception && attrString(exception.attributes, "exception.type")) ?? attrString(span.attributes, "error.type") ?? stated?.type;
  const message = (exception && attrString(exception.attributes, "exception.message")) ?? (span.status.message || stated?.message);
  const stack = exception && attrString(exception.attributes, "exception.stacktrace");
  return {
    ...(type !== undefined ? { type } : {}),
    ...(message ? { message } : {}),
    ...(stack ? { stack } : {}),
    crashed: exception !== undefined,
  };
}

function llmErrorClass(span: OtelSpan, failure: SpanFailure): { class: string; http_status?: number } {
  const status = attrInt(span.attributes, "http.response.status_code") ?? attrInt(span.attributes, "http.status_code");
  if (status !== undefined && HTTP_STATUS_CLASSES[status]) return { class: HTTP_STATUS_CLASSES[status]!, http_status: status };
  const text = `${failure.type ?? ""} ${attrString(span.attributes, "error.type") ?? ""} ${failure.message ?? ""}`;
  for (const [re, cls] of LLM_ERROR_PATTERNS) if (re.test(text)) return { class: cls, ...(status !== undefined ? { http_status: status } : {}) };
  return { class: "unknown", ...(status !== undefined ? { http_status: status } : {}) };
}

export function classify(span: OtelSpan): Classified {
  for (const dialect of DIALECTS) {
    if (dialect.claims(span)) return { span, dialect, role: dialect.role(span) };
  }
  return { span, dialect: null, role: null };
}

const MAX_PARENT_HOPS = 64;

type AgentContext = { kind: "agent"; c: Classified } | { kind: "root" } | { kind: "unknown" };

/** The nearest agent span above this one in the same request, or whether the walk reached the trace root. */
function nearestAgent(c: Classified, byId: Map<string, Classified>): AgentContext {
  let parentId = c.span.parentSpanId;
  for (let hops = 0; hops < MAX_PARENT_HOPS; hops++) {
    if (parentId === "") return { kind: "root" };
    const parent = byId.get(parentId);
    if (!parent || parent.span.traceId !== c.span.traceId) return { kind: "unknown" };
    if (parent.role === "agent") return { kind: "agent", c: parent };
    parentId = parent.span.parentSpanId;
  }
  return { kind: "unknown" };
}

function explicitAgentName(c: Classified): string | undefined {
  return c.dialect ? readString(c.span, c.dialect.agent.name) : undefined;
}

function agentLabel(c: Classified): string {
  return explicitAgentName(c) ?? (c.span.name.replace(/^invoke_agent\s*/, "").trim() || "agent");
}

// ---- size fitting (spec 4.1: 64 KiB of JSON per event) ----

const FIT_BYTES = 60 * 1024;
const encoder = new TextEncoder();

function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  // Cheap bound first: UTF-8 is at most 3 bytes per UTF-16 unit.
  return text.length * 3 <= FIT_BYTES ? text.length : encoder.encode(text).byteLength;
}

/**
 * An upper bound on the JSON an event made from this span can take: its content comes from the
 * span's attribute and event values, and JSON escaping at most doubles a string (plus the fixed
 * fields). Most spans are far below the limit, and then nothing needs serialising to be measured.
 */
function approxContentBytes(span: OtelSpan): number {
  let chars = 0;
  const add = (v: AttrValue) => {
    chars += typeof v === "string" ? v.length : typeof v === "object" && v !== null ? JSON.stringify(v).length : 8;
  };
  for (const v of span.attributes.values()) add(v);
  for (const e of span.events) for (const v of e.attributes.values()) add(v);
  // UTF-8 takes at most 3 bytes per UTF-16 unit; escaping at most doubles; 4 KiB for the rest.
  return chars * 6 + 4096;
}

function truncateValue(value: unknown, max: number): unknown {
  if (typeof value === "string") return value.length > max ? `${value.slice(0, max)}…[truncated]` : value;
  if (value === null || typeof value !== "object") return value;
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…[truncated]` : value;
}

/** Shortens content fields, longest budget first, until the event fits; marks it as truncated. */
function fitEvent(event: MappedEvent): void {
  if (jsonBytes(event) <= FIT_BYTES) return;
  const fields = ["messages", "system", "prompt", "response", "arguments", "result", "state"] as const;
  for (let max = 8192; max >= 64; max = Math.floor(max / 4)) {
    for (const f of fields) {
      const v = event[f];
      if (v === undefined) continue;
      event[f] =
        f === "messages" && Array.isArray(v)
          ? v.map((m: { role: string; content?: unknown }) => ({ ...m, content: truncateValue(m.content, max) }))
          : truncateValue(v, max);
    }
    (event.attributes as Record<string, unknown>)["vigil.truncated"] = true;
    if (jsonBytes(event) <= FIT_BYTES) return;
  }
}

// ---- the mapping ----

function commonFields(span: OtelSpan, agent: string | undefined, dialect: Dialect | null) {
  const executionId = firstString(span.attributes, ["vigil.execution_id"]) ?? firstString(span.resource, ["vigil.execution_id"]) ?? span.traceId;
  const tenant = firstString(span.attributes, ["vigil.tenant_id", "tenant.id"]) ?? firstString(span.resource, ["vigil.tenant_id", "tenant.id"]);
  const attributes: Record<string, AttrValue> = {
    "otel.trace_id": span.traceId,
    "otel.span_id": span.spanId,
    "otel.span_name": span.name,
  };
  if (span.parentSpanId) attributes["otel.parent_span_id"] = span.parentSpanId;
  if (span.scope.name) attributes["otel.scope"] = span.scope.name;
  if (dialect) attributes["otel.dialect"] = dialect.name;
  for (const key of ["session.id", "gen_ai.conversation.id", "user.id"]) {
    const v = attrString(span.attributes, key) ?? attrString(span.resource, key);
    if (v !== undefined) attributes[key] = v;
  }
  const service = attrString(span.resource, "service.name");
  if (service) attributes["service.name"] = service;
  return {
    execution_id: executionId,
    ...(tenant ? { tenant_id: tenant } : {}),
    ...(agent ? { agent } : {}),
    attributes,
  };
}

function latency(span: OtelSpan): number | undefined {
  return span.endMs >= span.startMs && span.endMs > 0 ? span.endMs - span.startMs : undefined;
}

function llmEvent(c: Classified & { dialect: Dialect }, agent: string | undefined): MappedEvent {
  const { span, dialect } = c;
  const f = dialect.llm;
  const model = readString(span, f.model);
  const provider = readString(span, f.provider)?.toLowerCase() ?? inferProvider(model) ?? "unknown";
  const failure = failureOf(c);
  const event: MappedEvent = {
    id: `otel:${span.spanId}`,
    type: "llm_call",
    timestamp: span.startMs,
    ...commonFields(span, agent, dialect),
    provider,
    model: model ?? "unknown",
    status: failure ? "error" : "ok",
  };
  const messages = readJson(span, f.messages);
  if (messages !== undefined) event.messages = messages;
  const system = readJson(span, f.system);
  if (system !== undefined) event.system = system;
  if (messages === undefined) {
    const prompt = readJson(span, f.prompt);
    if (prompt !== undefined) event.prompt = prompt;
  }
  const response = readJson(span, f.response);
  if (response !== undefined) event.response = response;
  const input = readInt(span, f.inputTokens);
  if (input !== undefined) event.input_tokens = input;
  const output = readInt(span, f.outputTokens);
  if (output !== undefined) event.output_tokens = output;
  const cost = typeof f.costUsd === "function" ? f.costUsd(span) : f.costUsd ? attrNumber(span.attributes, f.costUsd) : undefined;
  if (cost !== undefined) event.cost_usd = cost;
  const served = firstString(span.attributes, ["gen_ai.response.model", "ai.response.model"]);
  if (served && served !== event.model) (event.attributes as Record<string, AttrValue>)["gen_ai.response.model"] = served;
  const lat = latency(span);
  if (lat !== undefined) event.latency_ms = lat;
  const finish = readString(span, f.finishReason);
  if (finish) event.finish_reason = finish.slice(0, 128);
  if (failure) {
    event.error = {
      ...llmErrorClass(span, failure),
      ...(failure.type ? { type: failure.type } : {}),
      ...(failure.message ? { message: failure.message } : {}),
    };
  }
  return event;
}

function toolEvent(c: Classified & { dialect: Dialect }, agent: string | undefined): MappedEvent {
  const { span, dialect } = c;
  const f = dialect.tool;
  const failure = failureOf(c);
  const event: MappedEvent = {
    id: `otel:${span.spanId}`,
    type: "tool_call",
    timestamp: span.startMs,
    ...commonFields(span, agent, dialect),
    tool: readString(span, f.name) ?? (span.name || "unknown"),
    status: failure ? "failed" : "ok",
  };
  const args = readJson(span, f.arguments);
  if (args !== undefined) event.arguments = args;
  const result = readJson(span, f.result);
  if (result !== undefined) event.result = result;
  const callId = readString(span, f.callId);
  if (callId) (event.attributes as Record<string, AttrValue>)["gen_ai.tool.call.id"] = callId;
  const lat = latency(span);
  if (lat !== undefined) event.latency_ms = lat;
  if (failure) {
    event.error = {
      // The tool_failure signature is `<tool>:<error type>`; a span with no type still groups.
      type: failure.type ?? "Error",
      ...(failure.message ? { message: failure.message } : {}),
    };
  }
  return event;
}

function executionEvents(c: Classified & { dialect: Dialect }, agent: string): MappedEvent[] {
  const { span, dialect } = c;
  const common = commonFields(span, agent, dialect);
  const release = attrString(span.resource, "service.version");
  const environment = attrString(span.resource, "deployment.environment.name") ?? attrString(span.resource, "deployment.environment");
  const started: MappedEvent = {
    id: `otel:${span.spanId}`,
    type: "execution_started",
    timestamp: span.startMs,
    ...common,
    name: agent.slice(0, 256),
    ...(release ? { release: release.slice(0, 256) } : {}),
    ...(environment ? { environment: environment.slice(0, 256) } : {}),
    sdk: { name: span.scope.name || "opentelemetry", version: span.scope.version },
  };
  if (span.endMs <= 0) return [started];
  const failure = failureOf(c);
  const finished: MappedEvent = {
    id: `otel:${span.spanId}:finished`,
    type: "execution_finished",
    timestamp: Math.max(span.endMs, span.startMs),
    ...common,
    status: failure ? (failure.crashed ? "crashed" : "failed") : "completed",
  };
  const lat = latency(span);
  if (lat !== undefined) finished.duration_ms = lat;
  if (failure) {
    finished.error = {
      type: failure.type ?? "Error",
      ...(failure.message ? { message: failure.message } : {}),
      ...(failure.stack ? { stack: failure.stack } : {}),
    };
  }
  return [started, finished];
}

/** `gen_ai.evaluation.result` span events -> eval_score (they may sit on any span). */
function evalEvents(span: OtelSpan, common: ReturnType<typeof commonFields>): MappedEvent[] {
  const out: MappedEvent[] = [];
  span.events.forEach((e, n) => {
    if (e.name !== "gen_ai.evaluation.result") return;
    const metric = attrString(e.attributes, "gen_ai.evaluation.name");
    const label = attrString(e.attributes, "gen_ai.evaluation.score.label")?.toLowerCase();
    const raw = e.attributes.get("gen_ai.evaluation.score.value");
    const passed = label === undefined ? undefined : ["pass", "passed", "true", "yes", "correct"].includes(label) ? true : ["fail", "failed", "false", "no", "incorrect"].includes(label) ? false : undefined;
    const score = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : passed === undefined ? undefined : passed ? 1 : 0;
    if (!metric || score === undefined) return;
    const reason = attrString(e.attributes, "gen_ai.evaluation.explanation");
    out.push({
      id: `otel:${span.spanId}:eval:${n}`,
      type: "eval_score",
      timestamp: e.timeMs || span.endMs,
      ...common,
      evaluator: span.scope.name || "otel",
      metric,
      score,
      ...(passed !== undefined ? { passed } : {}),
      ...(reason ? { reason } : {}),
    });
  });
  return out;
}

export function mapSpans(spans: readonly OtelSpan[], options: MapOptions): MappedSpans {
  const classified = spans.map(classify);
  const byId = new Map<string, Classified>();
  for (const c of classified) byId.set(c.span.spanId, c);

  const events: MappedEvent[] = [];
  const sources: number[] = [];
  const byDialect: Record<string, number> = {};
  let ignored = 0;

  for (const c of classified) {
    const produced: MappedEvent[] = [];
    let agent: string | undefined;
    if (c.dialect && c.role) {
      const dialect = c.dialect;
      const withDialect = { ...c, dialect };
      const above = nearestAgent(c, byId);
      if (c.role === "agent") {
        if (c.span.parentSpanId === "" || above.kind === "root") {
          produced.push(...executionEvents(withDialect, agentLabel(c)));
        } else if (above.kind === "agent") {
          // A handoff needs a name given on purpose on both sides; step spans of one agent are not handoffs.
          const to = explicitAgentName(c);
          const from = agentLabel(above.c);
          if (to && to !== from) {
            produced.push({
              id: `otel:${c.span.spanId}`,
              type: "agent_handoff",
              timestamp: c.span.startMs,
              ...commonFields(c.span, from, dialect),
              from_agent: from.slice(0, 256),
              to_agent: to.slice(0, 256),
              kind: "delegate",
            });
          }
        }
        // Otherwise (the parent was exported in another request) the span says nothing certain: ignored.
      } else {
        agent = readString(c.span, dialect.agent.name) ?? (above.kind === "agent" ? agentLabel(above.c) : undefined);
        produced.push(c.role === "llm" ? llmEvent(withDialect, agent) : toolEvent(withDialect, agent));
      }
    }
    if (c.span.events.some((e) => e.name === "gen_ai.evaluation.result")) {
      produced.push(...evalEvents(c.span, commonFields(c.span, agent, c.dialect)));
    }
    if (produced.length === 0) {
      ignored++;
      continue;
    }
    if (c.dialect) byDialect[c.dialect.name] = (byDialect[c.dialect.name] ?? 0) + 1;
    const mayBeLarge = options.fitEvents && approxContentBytes(c.span) > FIT_BYTES;
    for (const e of produced) {
      if (mayBeLarge) fitEvent(e);
      events.push(e);
      sources.push(c.span.index);
    }
  }

  // Detectors see events in arrival order; exporters send spans as they end (children first), so
  // order by start time to give them the order things happened in, an execution's start first and
  // its end last whatever the clocks' rounding says.
  const phase = (e: MappedEvent) => (e.type === "execution_started" ? 0 : e.type === "execution_finished" ? 2 : 1);
  const order = events.map((_, i) => i).sort((a, b) => phase(events[a]!) - phase(events[b]!) || events[a]!.timestamp - events[b]!.timestamp || a - b);
  return { events: order.map((i) => events[i]!), sources: order.map((i) => sources[i]!), ignored, byDialect };
}
