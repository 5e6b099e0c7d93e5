// The Langfuse SDKs' own OpenTelemetry attributes (langfuse.observation.*). LangChain, LangGraph and
// AutoGen runs traced through Langfuse's callback handlers carry nothing else, so without this
// dialect their model calls would all be ignored.
import type { Dialect, SpanRole } from "../dialect.ts";
import { messagesFromJson } from "../dialect.ts";
import type { OtelSpan } from "../span.ts";
import { attrJson, attrString } from "../span.ts";

const ROLES: Record<string, SpanRole> = { generation: "llm", tool: "tool", agent: "agent" };

function usage(keys: readonly string[]) {
  return (span: OtelSpan): number | undefined => {
    const u = attrJson(span.attributes, "langfuse.observation.usage_details");
    if (u === null || typeof u !== "object" || Array.isArray(u)) return undefined;
    for (const k of keys) {
      const v = u[k];
      if (typeof v === "number" && Number.isFinite(v) && v >= 0) return Math.round(v);
    }
    return undefined;
  };
}

export const langfuse: Dialect = {
  name: "langfuse",
  claims: (span) => span.attributes.has("langfuse.observation.type"),
  role: (span) => ROLES[(attrString(span.attributes, "langfuse.observation.type") ?? "").toLowerCase()] ?? null,
  llm: {
    model: ["langfuse.observation.model.name"],
    provider: [],
    inputTokens: usage(["input", "prompt_tokens", "input_tokens"]),
    outputTokens: usage(["output", "completion_tokens", "output_tokens"]),
    messages: (span) => messagesFromJson(attrJson(span.attributes, "langfuse.observation.input")),
    prompt: (span) => (messagesFromJson(attrJson(span.attributes, "langfuse.observation.input")) ? undefined : attrJson(span.attributes, "langfuse.observation.input")),
    response: ["langfuse.observation.output"],
  },
  tool: {
    name: (span) => (span.name !== "" ? span.name : undefined),
    arguments: ["langfuse.observation.input"],
    result: ["langfuse.observation.output"],
  },
  agent: { name: (span) => (span.name !== "" ? span.name : undefined) },
  failure: (span) =>
    attrString(span.attributes, "langfuse.observation.level") === "ERROR"
      ? { message: attrString(span.attributes, "langfuse.observation.status_message") ?? "error" }
      : undefined,
};
