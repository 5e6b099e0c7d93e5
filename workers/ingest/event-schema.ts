// The event contract of spec section 4, as zod schemas. This module is the single source of truth
// for event shapes: the Worker validates with it and the TypeScript client derives its types from it.
// Objects are loose: unknown fields are accepted and kept (forward compatibility, spec 4.1).
import { z } from "zod";

const id = z.string().min(1).max(128);
/**
 * Any JSON value, not checked deeply: every event reaches validation from JSON.parse (native) or
 * from the OpenTelemetry mapper, so its values are JSON already, and z.json()'s recursive check of
 * every message, argument and result was about two thirds of validation's cost. Required fields
 * still reject a missing value; the type is z.json()'s, so the client's types are unchanged.
 */
const json = z.custom<z.core.util.JSONType>((value) => value !== undefined);

/** RFC 3339 string or epoch milliseconds (spec 4.1). */
const timestamp = z.union([
  z.iso.datetime({ offset: true, local: false }),
  z.number().int().nonnegative().max(8_640_000_000_000_000),
]);

const common = {
  id,
  execution_id: id,
  timestamp: timestamp.optional(),
  tenant_id: z.string().min(1).max(256).optional(),
  agent: z.string().min(1).max(256).optional(),
  attributes: z.record(z.string(), json).optional(),
};

export const EXECUTION_STATUSES = [
  "completed",
  "crashed",
  "failed",
  "halted",
  "timeout",
  "validation_failed",
  "cancelled",
] as const;

export const LLM_ERROR_CLASSES = [
  "rate_limited",
  "quota_exhausted",
  "internal_error",
  "service_unavailable",
  "timeout",
  "invalid_api_key",
  "client_error",
  "context_length_exceeded",
  "unknown",
] as const;

/** Provider-side error classes: the ones a provider incident is made of (spec 4.2). */
export const PROVIDER_SIDE_ERROR_CLASSES = new Set<string>([
  "rate_limited",
  "quota_exhausted",
  "internal_error",
  "service_unavailable",
  "timeout",
]);

const policy = z.looseObject({
  max_wall_seconds: z.number().positive().optional(),
  max_steps: z.number().int().positive().optional(),
  max_cost_usd: z.number().nonnegative().optional(),
  halt_on: z.array(z.string()).max(23).optional(),
});

const message = z.looseObject({
  role: z.string().min(1).max(64),
  // A string, or structured parts (multimodal, tool calls): kept as sent.
  content: json.optional(),
});

export const executionStartedEvent = z.looseObject({
  ...common,
  type: z.literal("execution_started"),
  name: z.string().max(256).optional(),
  parent_execution_id: id.optional(),
  policy: policy.optional(),
  release: z.string().max(256).optional(),
  environment: z.string().max(256).optional(),
  sdk: z.looseObject({ name: z.string(), version: z.string() }).optional(),
});

export const executionFinishedEvent = z.looseObject({
  ...common,
  type: z.literal("execution_finished"),
  status: z.enum(EXECUTION_STATUSES),
  duration_ms: z.number().nonnegative().optional(),
  error: z
    .looseObject({ type: z.string(), message: z.string().optional(), stack: z.string().optional() })
    .optional(),
  crash_signature: z.string().min(1).max(512).optional(),
});

export const llmCallEvent = z.looseObject({
  ...common,
  type: z.literal("llm_call"),
  provider: z.string().min(1).max(128),
  model: z.string().min(1).max(256),
  messages: z.array(message).optional(),
  system: json.optional(),
  prompt: json.optional(),
  response: json.optional(),
  input_tokens: z.number().int().nonnegative().optional(),
  output_tokens: z.number().int().nonnegative().optional(),
  cost_usd: z.number().nonnegative().optional(),
  latency_ms: z.number().nonnegative().optional(),
  status: z.enum(["ok", "error"]),
  error: z
    .looseObject({
      class: z.enum(LLM_ERROR_CLASSES).optional(),
      type: z.string().optional(),
      message: z.string().optional(),
      http_status: z.number().int().optional(),
    })
    .optional(),
  finish_reason: z.string().max(128).optional(),
});

export const toolCallEvent = z.looseObject({
  ...common,
  type: z.literal("tool_call"),
  tool: z.string().min(1).max(256),
  arguments: json.optional(),
  result: json.optional(),
  status: z.enum(["ok", "failed"]),
  error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }).optional(),
  latency_ms: z.number().nonnegative().optional(),
});

export const validatorCheckEvent = z.looseObject({
  ...common,
  type: z.literal("validator_check"),
  validator: z.string().min(1).max(256),
  status: z.enum(["passed", "failed"]),
  reason: z.string().optional(),
  category: z.string().max(128).optional(),
  severity: z.string().max(32).optional(),
});

export const checkpointEvent = z.looseObject({
  ...common,
  type: z.literal("checkpoint"),
  name: z.string().max(256).optional(),
  state: json,
});

export const agentHandoffEvent = z.looseObject({
  ...common,
  type: z.literal("agent_handoff"),
  from_agent: z.string().min(1).max(256),
  to_agent: z.string().min(1).max(256),
  child_execution_id: id.optional(),
  kind: z.enum(["delegate", "spawn", "transfer", "consult"]).optional(),
});

export const humanInterventionEvent = z.looseObject({
  ...common,
  type: z.literal("human_intervention"),
  request_id: z.string().min(1).max(256),
  response_kind: z.enum(["approved", "rejected", "edited", "timeout", "cancelled"]),
  wait_duration_ms: z.number().nonnegative().optional(),
  sla_seconds: z.number().positive().optional(),
  response_payload: json.optional(),
});

export const evalScoreEvent = z.looseObject({
  ...common,
  type: z.literal("eval_score"),
  evaluator: z.string().min(1).max(256),
  metric: z.string().min(1).max(256),
  score: z.number(),
  passed: z.boolean().optional(),
  higher_is_better: z.boolean().optional(),
  reason: z.string().optional(),
});

export const infrastructureEvent = z.looseObject({
  ...common,
  type: z.literal("infrastructure_event"),
  reason: z.string().min(1).max(128),
  provider: z.string().max(128).optional(),
  http_status: z.number().int().optional(),
  retry_after_ms: z.number().nonnegative().optional(),
});

export const eventSchema = z.discriminatedUnion("type", [
  executionStartedEvent,
  executionFinishedEvent,
  llmCallEvent,
  toolCallEvent,
  validatorCheckEvent,
  checkpointEvent,
  agentHandoffEvent,
  humanInterventionEvent,
  evalScoreEvent,
  infrastructureEvent,
]);

export type VigilEvent = z.infer<typeof eventSchema>;
export type EventType = VigilEvent["type"];
export type EventOfType<T extends EventType> = Extract<VigilEvent, { type: T }>;

export const EVENT_TYPES: readonly EventType[] = eventSchema.options.map((o) => o.shape.type.value);

