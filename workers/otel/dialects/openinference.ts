// OpenInference (Arize): openinference.span.kind LLM / TOOL / AGENT, llm.model_name, llm.provider,
// llm.token_count.*, flattened llm.input_messages.N.message.*, and input.value / output.value.
import type { ChatMessage, Dialect, SpanRole } from "../dialect.ts";
import { attrNumber, contentOf, messagesFromJson } from "../dialect.ts";
import type { AttrValue, OtelSpan } from "../span.ts";
import { attrJson, attrString, collectIndexed } from "../span.ts";

const ROLES: Record<string, SpanRole> = { LLM: "llm", TOOL: "tool", AGENT: "agent" };

/** `llm.input_messages.N.message.{role, content, contents.M.message_content.text}` -> messages. */
function flattenedMessages(span: OtelSpan, prefix: string): ChatMessage[] | undefined {
  const rows = collectIndexed(span.attributes, prefix);
  if (rows.length === 0) return undefined;
  return rows.map((row) => {
    const role = row.get("message.role");
    let content: AttrValue | undefined = row.get("message.content");
    if (content === undefined) {
      const texts: string[] = [];
      for (const [k, v] of row) if (k.startsWith("message.contents.") && k.endsWith(".message_content.text") && typeof v === "string") texts.push(v);
      if (texts.length > 0) content = texts.join("\n");
    }
    return { role: typeof role === "string" && role !== "" ? role : "user", ...(content !== undefined ? { content } : {}) };
  });
}

function inputValueMessages(span: OtelSpan): ChatMessage[] | undefined {
  const v = attrJson(span.attributes, "input.value");
  if (Array.isArray(v)) return messagesFromJson(v);
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return messagesFromJson(v.messages);
  return undefined;
}

function response(span: OtelSpan): AttrValue | undefined {
  const out = flattenedMessages(span, "llm.output_messages.");
  if (out) return out.length === 1 ? (out[0]!.content ?? null) : out.map((m) => m.content ?? null);
  return attrJson(span.attributes, "output.value");
}

function nameFromSpan(key: string) {
  return (span: OtelSpan): string | undefined => attrString(span.attributes, key) ?? (span.name !== "" ? span.name : undefined);
}

export const openInference: Dialect = {
  name: "openinference",
  claims: (span) => span.attributes.has("openinference.span.kind"),
  role: (span) => ROLES[(attrString(span.attributes, "openinference.span.kind") ?? "").toUpperCase()] ?? null,
  llm: {
    model: ["llm.model_name", "gen_ai.request.model", "gen_ai.response.model"],
    provider: ["llm.provider", "llm.system", "gen_ai.provider.name", "gen_ai.system"],
    inputTokens: ["llm.token_count.prompt", "gen_ai.usage.input_tokens"],
    outputTokens: ["llm.token_count.completion", "gen_ai.usage.output_tokens"],
    costUsd: (span) => attrNumber(span.attributes, ["llm.cost.total"]),
    messages: (span) => flattenedMessages(span, "llm.input_messages.") ?? inputValueMessages(span),
    // input.value that is not a message list (a plain prompt, or a request object) is kept as the prompt.
    prompt: (span) => (inputValueMessages(span) || span.attributes.has("llm.input_messages.0.message.role") ? undefined : contentOf(attrJson(span.attributes, "input.value"))),
    response,
  },
  tool: {
    name: nameFromSpan("tool.name"),
    arguments: ["tool_call.function.arguments", "input.value"],
    result: ["output.value"],
    callId: ["tool_call.id", "gen_ai.tool.call.id"],
  },
  // Only an explicit agent name counts: framework step spans reuse AGENT for one agent's own steps.
  agent: { name: ["agent.name", "graph.node.id"] },
};
