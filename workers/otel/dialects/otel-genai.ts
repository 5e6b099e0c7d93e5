// OpenTelemetry GenAI semantic conventions: current names (gen_ai.provider.name, gen_ai.input.messages,
// gen_ai.usage.input_tokens) and the deprecated ones still emitted by many SDKs (gen_ai.system,
// gen_ai.usage.prompt_tokens, indexed gen_ai.prompt.N.* / gen_ai.completion.N.*, message span events).
import type { ChatMessage, Dialect, SpanRole } from "../dialect.ts";
import { attrNumber, contentOf, messagesFromJson } from "../dialect.ts";
import type { AttrValue, OtelSpan } from "../span.ts";
import { attrJson, attrString, collectIndexed, parseMaybeJson } from "../span.ts";

const LLM_OPERATIONS = new Set(["chat", "text_completion", "generate_content"]);

/** Any of these keys marks a span as written in this convention. */
const MARKERS = ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", "gen_ai.tool.name", "gen_ai.agent.name", "gen_ai.request.model"];

/** Span events of the deprecated event-based message convention, by event name. */
const MESSAGE_EVENTS: Record<string, string> = {
  "gen_ai.system.message": "system",
  "gen_ai.user.message": "user",
  "gen_ai.assistant.message": "assistant",
  "gen_ai.tool.message": "tool",
};

function indexedMessages(span: OtelSpan, prefix: string): ChatMessage[] | undefined {
  const rows = collectIndexed(span.attributes, prefix);
  if (rows.length === 0) return undefined;
  const out: ChatMessage[] = [];
  for (const row of rows) {
    const role = row.get("role");
    const content = row.get("content");
    out.push({ role: typeof role === "string" && role !== "" ? role : "user", ...(content !== undefined ? { content } : {}) });
  }
  return out;
}

function messages(span: OtelSpan): ChatMessage[] | undefined {
  const current = messagesFromJson(attrJson(span.attributes, "gen_ai.input.messages"));
  if (current) return current;
  const indexed = indexedMessages(span, "gen_ai.prompt.");
  if (indexed) return indexed;
  const legacyJson = messagesFromJson(attrJson(span.attributes, "gen_ai.prompt"));
  if (legacyJson) return legacyJson;
  // pydantic-ai (2025) sends the message events as one JSON attribute named "events".
  const eventsAttr = attrJson(span.attributes, "events");
  if (Array.isArray(eventsAttr)) {
    const fromAttr = messagesFromJson(eventsAttr.filter((e) => e !== null && typeof e === "object" && !Array.isArray(e) && typeof e.role === "string" && e["event.name"] !== "gen_ai.choice"));
    if (fromAttr) return fromAttr;
  }
  const fromEvents: ChatMessage[] = [];
  for (const e of span.events) {
    const role = MESSAGE_EVENTS[e.name];
    if (!role) continue;
    const content = e.attributes.get("content");
    fromEvents.push({ role, ...(content !== undefined ? { content: typeof content === "string" ? parseMaybeJson(content) : content } : {}) });
  }
  return fromEvents.length > 0 ? fromEvents : undefined;
}

function response(span: OtelSpan): AttrValue | undefined {
  const current = attrJson(span.attributes, "gen_ai.output.messages");
  if (current !== undefined) {
    const msgs = messagesFromJson(current);
    if (msgs && msgs.length === 1) return msgs[0]!.content ?? null;
    return current;
  }
  const indexed = indexedMessages(span, "gen_ai.completion.");
  if (indexed) return indexed.length === 1 ? (indexed[0]!.content ?? null) : indexed.map((m) => m.content ?? null);
  const legacy = attrJson(span.attributes, "gen_ai.completion");
  if (legacy !== undefined) return legacy;
  const choice = span.events.find((e) => e.name === "gen_ai.choice");
  return choice ? (choice.attributes.get("message") ?? choice.attributes.get("content")) : undefined;
}

function finishReason(span: OtelSpan): string | undefined {
  const v = attrJson(span.attributes, "gen_ai.response.finish_reasons");
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" && first !== "" ? first : undefined;
}

function toolName(span: OtelSpan): string | undefined {
  const name = attrString(span.attributes, "gen_ai.tool.name");
  if (name) return name;
  // The convention names the span "execute_tool {gen_ai.tool.name}".
  const fromSpan = span.name.replace(/^execute_tool\s*/, "").trim();
  return fromSpan !== "" ? fromSpan : undefined;
}

export const otelGenAi: Dialect = {
  name: "otel-genai",
  claims: (span) => MARKERS.some((k) => span.attributes.has(k)),
  role(span): SpanRole | null {
    const op = attrString(span.attributes, "gen_ai.operation.name");
    if (op !== undefined) {
      if (LLM_OPERATIONS.has(op)) return "llm";
      if (op === "execute_tool") return "tool";
      if (op === "invoke_agent") return "agent";
      return null; // embeddings, create_agent, framework "chain" spans...
    }
    // No operation name: older and framework-specific emitters (pydantic-ai, Koog) still say enough.
    if (span.attributes.has("gen_ai.tool.name")) return "tool";
    if (span.attributes.has("gen_ai.agent.name") || span.attributes.has("agent_name")) return "agent";
    return null;
  },
  llm: {
    // The requested model first: the served snapshot ("gpt-4o-2024-08-06") changes when a provider
    // moves an alias, and a model that changes under one root cause would split its groups.
    model: ["gen_ai.request.model", "gen_ai.response.model"],
    provider: ["gen_ai.provider.name", "gen_ai.system"],
    inputTokens: ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"],
    outputTokens: ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"],
    costUsd: (span) => attrNumber(span.attributes, ["gen_ai.usage.cost", "operation.cost"]),
    finishReason,
    messages,
    system: (span) => contentOf(attrJson(span.attributes, "gen_ai.system_instructions")),
    response,
  },
  tool: {
    name: toolName,
    arguments: ["gen_ai.tool.call.arguments", "tool_arguments", "input.value", "input"],
    result: ["gen_ai.tool.call.result", "tool_response", "output.value", "output"],
    callId: ["gen_ai.tool.call.id"],
  },
  agent: { name: ["gen_ai.agent.name", "agent_name"] },
};
