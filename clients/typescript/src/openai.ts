// Records llm_call events for an OpenAI-compatible chat client (the `openai` package, or any client
// with `chat.completions.create`: Groq, Together, vLLM, LiteLLM, Azure...) without changing what the
// caller sees: same return values, same streams, same errors, thrown unchanged. Only
// `chat.completions.create` is intercepted; every other property is the original's.
import type { Execution } from "./client.ts";
import type { EventFields } from "./types.ts";

type LlmErrorClass = NonNullable<NonNullable<EventFields<"llm_call">["error"]>["class"]>;

export interface WrapOptions {
  /** Provider name on the events. Default: from the client's baseURL host, else "openai". */
  provider?: string;
  /** Agent role recorded on the events. */
  agent?: string;
  /** Keep prompts and answers on the events (they are redacted server-side either way). Default true. */
  recordContent?: boolean;
}

interface ChatParams {
  model?: string;
  messages?: { role: string; content?: unknown }[];
  stream?: boolean;
}

interface ChatCompletion {
  model?: string;
  choices?: { message?: unknown; finish_reason?: string | null; delta?: { content?: string | null }; }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

const KNOWN_HOSTS: readonly [RegExp, string][] = [
  [/openai\.azure\.com$/, "azure_openai"],
  [/groq\.com$/, "groq"],
  [/together\.(ai|xyz)$/, "together"],
  [/mistral\.ai$/, "mistral"],
  [/deepseek\.com$/, "deepseek"],
  [/openrouter\.ai$/, "openrouter"],
  [/fireworks\.ai$/, "fireworks"],
  [/x\.ai$/, "xai"],
  [/anthropic\.com$/, "anthropic"],
  [/googleapis\.com$/, "google"],
];

function providerOf(client: unknown): string {
  const base = (client as { baseURL?: unknown }).baseURL;
  if (typeof base === "string") {
    try {
      const host = new URL(base).hostname;
      for (const [re, name] of KNOWN_HOSTS) if (re.test(host)) return name;
    } catch {
      // Not a URL: fall through.
    }
  }
  return "openai";
}

/** The spec's llm_call error classes (4.2), from the HTTP status and code OpenAI-style errors carry. */
export function errorClassOf(error: unknown): { class: LlmErrorClass; http_status?: number; type: string; message: string } {
  const e = (error ?? {}) as { status?: unknown; code?: unknown; name?: unknown; message?: unknown };
  const status = typeof e.status === "number" ? e.status : undefined;
  const code = typeof e.code === "string" ? e.code : "";
  const type = typeof e.name === "string" && e.name !== "" ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message : String(error);
  const text = `${code} ${type} ${message}`;
  let cls: LlmErrorClass = "unknown";
  if (/context_length|maximum context/i.test(text)) cls = "context_length_exceeded";
  else if (/insufficient_quota|quota/i.test(text)) cls = "quota_exhausted";
  else if (status === 429 || /rate.?limit/i.test(text)) cls = "rate_limited";
  else if (status === 401 || status === 403 || /invalid_api_key|authentication/i.test(text)) cls = "invalid_api_key";
  else if (status === 503 || status === 529 || /overloaded/i.test(text)) cls = "service_unavailable";
  else if (status === 408 || status === 504 || /timeout|timed out/i.test(text)) cls = "timeout";
  else if (status !== undefined && status >= 500) cls = "internal_error";
  else if (status !== undefined && status >= 400) cls = "client_error";
  return { class: cls, ...(status !== undefined ? { http_status: status } : {}), type, message: message.slice(0, 2000) };
}

/** Wraps an async iterable stream so the call is recorded when the caller finishes reading it. */
function observeStream<T>(stream: AsyncIterable<T>, done: (chunks: T[], error?: unknown) => void): AsyncIterable<T> {
  return new Proxy(stream as object, {
    get(target, prop, receiver) {
      if (prop !== Symbol.asyncIterator) return Reflect.get(target, prop, receiver);
      return () => {
        const inner = stream[Symbol.asyncIterator]();
        const chunks: T[] = [];
        let finished = false;
        const finish = (error?: unknown) => {
          if (!finished) {
            finished = true;
            done(chunks, error);
          }
        };
        return {
          async next() {
            try {
              const r = await inner.next();
              if (r.done) finish();
              else chunks.push(r.value);
              return r;
            } catch (error) {
              finish(error);
              throw error;
            }
          },
          async return(value?: unknown) {
            finish();
            return inner.return ? inner.return(value) : { done: true as const, value: undefined };
          },
          [Symbol.asyncIterator]() {
            return this;
          },
        };
      };
    },
  }) as AsyncIterable<T>;
}

/**
 * Returns `client` with `chat.completions.create` recording an llm_call on `execution` for every
 * call: model, messages, tokens, latency, finish reason, and on failure the error with its class.
 */
export function wrapOpenAI<C extends object>(client: C, execution: Execution, options: WrapOptions = {}): C {
  const provider = options.provider ?? providerOf(client);
  const keep = options.recordContent ?? true;
  const chat = (client as { chat?: { completions?: { create?: (...args: unknown[]) => unknown } } }).chat;
  const completions = chat?.completions;
  if (!completions || typeof completions.create !== "function") throw new TypeError("wrapOpenAI needs a client with chat.completions.create");
  const original = completions.create.bind(completions);

  const record = (params: ChatParams, started: number, result?: ChatCompletion, error?: unknown, streamedText?: string) => {
    const fields: EventFields<"llm_call"> = {
      provider,
      model: result?.model ?? params.model ?? "unknown",
      status: error === undefined ? "ok" : "error",
      latency_ms: Date.now() - started,
      timestamp: started,
    };
    if (params.model && result?.model && result.model !== params.model) {
      // Keep the requested name as the model (stable across provider snapshots), the served one beside it.
      fields.model = params.model;
      fields.attributes = { "gen_ai.response.model": result.model };
    }
    if (options.agent) fields.agent = options.agent;
    if (keep && params.messages) fields.messages = params.messages.map((m) => ({ role: m.role, content: (m.content ?? null) as never }));
    const choice = result?.choices?.[0];
    if (keep && choice?.message !== undefined) fields.response = choice.message as never;
    else if (keep && streamedText !== undefined) fields.response = streamedText;
    if (choice?.finish_reason) fields.finish_reason = choice.finish_reason;
    if (typeof result?.usage?.prompt_tokens === "number") fields.input_tokens = result.usage.prompt_tokens;
    if (typeof result?.usage?.completion_tokens === "number") fields.output_tokens = result.usage.completion_tokens;
    if (error !== undefined) fields.error = errorClassOf(error);
    try {
      execution.llmCall(fields);
    } catch {
      // Recording must never break the caller's call (a closed client, say).
    }
  };

  const create = (...args: unknown[]): unknown => {
    const params = (args[0] ?? {}) as ChatParams;
    const started = Date.now();
    let pending: unknown;
    try {
      pending = original(...args);
    } catch (error) {
      record(params, started, undefined, error);
      throw error;
    }
    // The openai package returns an APIPromise (a Promise with extra methods): hand back that very
    // object and only observe it, so `.withResponse()` and friends keep working.
    if (pending && typeof (pending as Promise<unknown>).then === "function") {
      (pending as Promise<unknown>).then(
        (value) => {
          if (value && typeof value === "object" && Symbol.asyncIterator in value) return; // a stream: observed below
          record(params, started, value as ChatCompletion);
        },
        (error: unknown) => record(params, started, undefined, error),
      );
      if (params.stream) {
        const streamed = (pending as Promise<AsyncIterable<ChatCompletion>>).then((stream) =>
          observeStream(stream, (chunks, error) => {
            const last = chunks.at(-1);
            const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
            const usage = chunks.find((c) => c.usage)?.usage ?? null;
            const finish = chunks.map((c) => c.choices?.[0]?.finish_reason).find((f) => f) ?? null;
            record(params, started, { model: last?.model ?? params.model, usage, choices: [{ finish_reason: finish }] }, error, text);
          }),
        );
        return Object.assign(streamed, pending);
      }
    }
    return pending;
  };

  const wrappedCompletions = new Proxy(completions, { get: (t, p, r) => (p === "create" ? create : Reflect.get(t, p, r)) });
  const wrappedChat = new Proxy(chat as object, { get: (t, p, r) => (p === "completions" ? wrappedCompletions : Reflect.get(t, p, r)) });
  return new Proxy(client, { get: (t, p, r) => (p === "chat" ? wrappedChat : Reflect.get(t, p, r)) });
}
