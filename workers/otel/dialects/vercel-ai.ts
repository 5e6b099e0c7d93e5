// The Vercel AI SDK's own telemetry (experimental_telemetry): ai.generateText / ai.streamText wrap a
// multi-step run, ai.*.doGenerate / doStream are the provider calls, ai.toolCall the tool executions.
import type { ChatMessage, Dialect, SpanRole } from "../dialect.ts";
import { messagesFromJson } from "../dialect.ts";
import type { AttrValue, OtelSpan } from "../span.ts";
import { attrJson, attrString } from "../span.ts";

const ROLES: Record<string, SpanRole> = {
  "ai.generateText.doGenerate": "llm",
  "ai.streamText.doStream": "llm",
  "ai.generateObject.doGenerate": "llm",
  "ai.streamObject.doStream": "llm",
  "ai.toolCall": "tool",
  // The outer call runs the step loop (model, tools, model...): an agent run, not one more model call,
  // which would count each call's tokens twice.
  "ai.generateText": "agent",
  "ai.streamText": "agent",
  "ai.generateObject": "agent",
  "ai.streamObject": "agent",
};

function operation(span: OtelSpan): string {
  return attrString(span.attributes, "ai.operationId") ?? attrString(span.attributes, "operation.name") ?? span.name;
}

function messages(span: OtelSpan): ChatMessage[] | undefined {
  const direct = messagesFromJson(attrJson(span.attributes, "ai.prompt.messages"));
  if (direct) return direct;
  const prompt = attrJson(span.attributes, "ai.prompt");
  if (prompt !== null && typeof prompt === "object" && !Array.isArray(prompt)) return messagesFromJson(prompt.messages);
  return undefined;
}

function response(span: OtelSpan): AttrValue | undefined {
  return attrJson(span.attributes, "ai.response.text") ?? attrJson(span.attributes, "ai.response.object") ?? attrJson(span.attributes, "ai.response.toolCalls");
}

export const vercelAi: Dialect = {
  name: "vercel-ai",
  claims: (span) => span.attributes.has("ai.operationId") || (span.scope.name === "ai" && operation(span).startsWith("ai.")),
  role: (span) => ROLES[operation(span)] ?? null,
  llm: {
    model: ["ai.model.id", "gen_ai.request.model", "ai.response.model"], // requested first, as in otel-genai.ts
    // "openai.chat", "openai.responses", "anthropic.messages": the provider is the first segment.
    provider: (span) => (attrString(span.attributes, "ai.model.provider") ?? attrString(span.attributes, "gen_ai.system"))?.split(".")[0],
    inputTokens: ["ai.usage.inputTokens", "ai.usage.promptTokens", "gen_ai.usage.input_tokens"],
    outputTokens: ["ai.usage.outputTokens", "ai.usage.completionTokens", "gen_ai.usage.output_tokens"],
    finishReason: ["ai.response.finishReason"],
    messages,
    prompt: (span) => (messages(span) ? undefined : attrJson(span.attributes, "ai.prompt")),
    response,
  },
  tool: {
    name: ["ai.toolCall.name"],
    arguments: ["ai.toolCall.args", "ai.toolCall.input"],
    result: ["ai.toolCall.result", "ai.toolCall.output"],
    callId: ["ai.toolCall.id"],
  },
  agent: { name: ["ai.telemetry.functionId"] },
};
