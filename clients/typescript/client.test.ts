// The TypeScript client against the real Worker (its fetch is the Worker's, through a recorder that
// can also answer 429/503 first, like an overloaded edge): batching by size and by time, gzip,
// retries honouring Retry-After and backing off with jitter, nothing lost on close(), the bounded
// queue, a halt directive aborting the execution's signal, stats, and the OpenAI-compatible wrapper.
// Waits between retries go through the client's `sleep` option, so no test waits on real time.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { BASE, createProject, getJson } from "../../test/helpers.ts";
import type { ClientOptions } from "./src/index.ts";
import { VigilHaltError, createClient, retryAfterMs, wrapOpenAI } from "./src/index.ts";

interface Recorded {
  status: number;
  events: number;
  gzip: boolean;
}

/** The Worker behind a recorder; `failures` are answered before the Worker sees the request. */
function receiver(failures: { status: number; retryAfter?: string }[] = []) {
  const log: Recorded[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const gzip = request.headers.get("content-encoding") === "gzip";
    const raw = request.clone().body!;
    const text = await new Response(gzip ? raw.pipeThrough(new DecompressionStream("gzip")) : raw).text();
    const events = (JSON.parse(text) as { events: unknown[] }).events.length;
    const failure = failures.shift();
    if (failure) {
      log.push({ status: failure.status, events, gzip });
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (failure.retryAfter !== undefined) headers["retry-after"] = failure.retryAfter;
      return new Response(JSON.stringify({ error: { code: failure.status === 429 ? "rate_limited" : "unavailable", message: "busy", request_id: "r" } }), { status: failure.status, headers });
    }
    const response = await exports.default.fetch(request);
    log.push({ status: response.status, events, gzip });
    return response;
  };
  return { log, fetch };
}

function options(project: TestProject, extra: Partial<ClientOptions> = {}): ClientOptions {
  return { url: BASE, key: project.ingest_key, flushIntervalMs: 60_000, ...extra };
}

async function eventCount(project: TestProject, executionId: string): Promise<number> {
  const { body } = await getJson<{ execution: { event_count: number } }>(`/v1/executions/${executionId}`, project.read_key);
  return body.execution.event_count;
}

describe("TypeScript client", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject("client tests");
  });

  it("batches by size, gzips, and flushes the remainder on flush()", async ({ expect }) => {
    const rx = receiver();
    const client = createClient(options(project, { fetch: rx.fetch, batchSize: 3 }));
    const run = client.execution("client-batch-1", { started: { name: "batching" } });
    for (let i = 0; i < 6; i++) run.toolCall({ tool: "lookup", status: "ok", arguments: { i } });
    await client.flush();
    expect(rx.log.map((r) => r.events)).toEqual([3, 3, 1]);
    expect(rx.log.every((r) => r.gzip && r.status === 200)).toBe(true);
    expect(client.stats()).toMatchObject({ queued: 0, sent: 7, duplicates: 0, rejected: {}, dropped: 0, retries: 0 });
    expect(await eventCount(project, "client-batch-1")).toBe(7);
  });

  it("sends a partial batch when its time is up", async ({ expect }) => {
    const rx = receiver();
    const client = createClient(options(project, { fetch: rx.fetch, batchSize: 100, flushIntervalMs: 5 }));
    client.execution("client-timer-1").checkpoint({ state: { step: 1 } });
    for (let i = 0; i < 100 && rx.log.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(rx.log.map((r) => r.events)).toEqual([1]);
    await client.close();
  });

  it("retries 429 and 503, honouring Retry-After, else backing off exponentially with jitter", async ({ expect }) => {
    const rx = receiver([{ status: 429, retryAfter: "2" }, { status: 503 }, { status: 503 }]);
    const waits: number[] = [];
    const client = createClient(
      options(project, { fetch: rx.fetch, sleep: async (ms) => void waits.push(ms), random: () => 0.5, backoffMs: 100 }),
    );
    client.execution("client-retry-1").llmCall({ provider: "openai", model: "gpt-4o", status: "ok" });
    await client.flush();
    expect(rx.log.map((r) => r.status)).toEqual([429, 503, 503, 200]);
    // Retry-After: 2 s; then half (the jitter) of 100 ms * 2^1 and of 100 ms * 2^2.
    expect(waits).toEqual([2000, 100, 200]);
    expect(client.stats()).toMatchObject({ sent: 1, retries: 3, dropped: 0 });
    expect(await eventCount(project, "client-retry-1")).toBe(1);
  });

  it("loses nothing already queued on close(), through failures, and counts replays as duplicates", async ({ expect }) => {
    const rx = receiver([{ status: 503, retryAfter: "0" }, { status: 429, retryAfter: "0" }]);
    const client = createClient(options(project, { fetch: rx.fetch, batchSize: 100, sleep: async () => {} }));
    const run = client.execution("client-close-1");
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push(run.checkpoint({ state: { i } }));
    run.checkpoint({ id: ids[0]!, state: { i: 0 } }); // the same id again: a duplicate, not an error
    await client.close();
    expect(client.stats()).toMatchObject({ queued: 0, sent: 250, duplicates: 1, dropped: 0, retries: 2 });
    expect(await eventCount(project, "client-close-1")).toBe(250);
    expect(() => run.checkpoint({ state: {} })).toThrow(/closed/);
  });

  it("drops, and counts, what exceeds the queue bound or runs out of attempts", async ({ expect }) => {
    const rx = receiver(Array.from({ length: 3 }, () => ({ status: 503, retryAfter: "0" })));
    const client = createClient(options(project, { fetch: rx.fetch, maxQueue: 5, maxAttempts: 3, batchSize: 100, sleep: async () => {} }));
    const run = client.execution("client-drop-1");
    for (let i = 0; i < 8; i++) run.checkpoint({ state: { i } });
    expect(client.stats()).toMatchObject({ queued: 5, dropped: 3 });
    await client.flush();
    expect(client.stats()).toMatchObject({ queued: 0, sent: 0, dropped: 8, retries: 2 });
  });

  it("counts per-item rejections by code and refused requests by status", async ({ expect }) => {
    const client = createClient(options(project, { fetch: (r) => exports.default.fetch(r) }));
    const run = client.execution("client-reject-1");
    run.toolCall({ tool: "ok", status: "ok" });
    run.emit("tool_call", { tool: "", status: "ok" }); // too short: invalid_event
    await client.flush();
    expect(client.stats().rejected).toEqual({ invalid_event: 1 });
    const errors: Error[] = [];
    const unauthorised = createClient({ url: BASE, key: "vk_ingest_not_a_real_key_at_all", fetch: (r) => exports.default.fetch(r), onError: (e) => errors.push(e) });
    unauthorised.execution("client-reject-2").checkpoint({ state: 1 });
    await unauthorised.close();
    expect(unauthorised.stats().rejected).toEqual({ http_401: 1 });
    expect(errors[0]).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("aborts the execution's signal with a typed error when Vigil says halt", async ({ expect }) => {
    const halts: string[] = [];
    const client = createClient(options(project, { fetch: (r) => exports.default.fetch(r), onHalt: (d) => halts.push(d.failure_class) }));
    const run = client.execution("client-halt-1", { agent: "planner", started: { policy: { halt_on: ["identical_call_loop"] } } });
    const other = client.execution("client-halt-2");
    const messages = [{ role: "user", content: "the same question" }];
    for (let i = 0; i < 5; i++) run.llmCall({ provider: "openai", model: "gpt-4o", status: "ok", messages });
    other.checkpoint({ state: {} });
    expect(run.signal.aborted).toBe(false);
    await client.flush();
    expect(run.signal.aborted).toBe(true);
    expect(run.signal.reason).toBeInstanceOf(VigilHaltError);
    expect((run.signal.reason as VigilHaltError).directive).toMatchObject({ failure_class: "identical_call_loop", signature: "planner/gpt-4o" });
    expect(() => run.throwIfHalted()).toThrow(VigilHaltError);
    expect(other.signal.aborted).toBe(false);
    run.toolCall({ tool: "after", status: "ok" }); // later answers repeat the directive: told once
    await client.close();
    expect(halts).toEqual(["identical_call_loop"]);
  });

  it("types events from the Worker's schemas", ({ expect }) => {
    const client = createClient(options(project, { fetch: (r) => exports.default.fetch(r) }));
    const run = client.execution("client-types-1");
    // @ts-expect-error status must be "ok" or "failed", as in workers/ingest/event-schema.ts
    run.toolCall({ tool: "x", status: "exploded" });
    // @ts-expect-error llm_call needs provider and model
    run.llmCall({ status: "ok" });
    expect(client.stats().queued).toBe(2);
  });

  it("parses Retry-After as seconds or an HTTP date", ({ expect }) => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 5)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(5000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
  });
});

describe("wrapOpenAI", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject("wrapper tests");
  });

  class FakeOpenAI {
    baseURL = "https://api.groq.com/openai/v1";
    calls = 0;
    failWith: (Error & { status?: number }) | null = null;
    chat = {
      completions: {
        create: async (params: { model: string; messages: { role: string; content: string }[]; stream?: boolean }) => {
          this.calls++;
          if (this.failWith) throw this.failWith;
          if (params.stream) {
            return (async function* () {
              yield { model: "llama-3.3-70b-versatile", choices: [{ delta: { content: "Hel" }, finish_reason: null }] };
              yield { model: "llama-3.3-70b-versatile", choices: [{ delta: { content: "lo" }, finish_reason: "stop" }], usage: { prompt_tokens: 9, completion_tokens: 2 } };
            })();
          }
          return { model: `${params.model}-2026-01-01`, choices: [{ message: { role: "assistant", content: "Hello" }, finish_reason: "stop" }], usage: { prompt_tokens: 12, completion_tokens: 3 } };
        },
      },
    };
    models = { list: () => "untouched" };
  }

  it("records calls, streams and errors without changing what the caller sees", async ({ expect }) => {
    const client = createClient({ url: BASE, key: project.ingest_key, fetch: (r) => exports.default.fetch(r) });
    const run = client.execution("wrapped-1");
    const raw = new FakeOpenAI();
    const openai = wrapOpenAI(raw, run, { agent: "support" });
    const messages = [{ role: "user", content: "hi" }];

    const answer = (await openai.chat.completions.create({ model: "llama-3.3-70b", messages })) as { choices: { message: unknown }[] };
    expect(answer.choices[0]?.message).toEqual({ role: "assistant", content: "Hello" });
    expect(openai.models.list()).toBe("untouched");

    let text = "";
    const stream = (await openai.chat.completions.create({ model: "llama-3.3-70b", messages, stream: true })) as AsyncIterable<{ choices: { delta?: { content?: string | null } }[] }>;
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Hello");

    raw.failWith = Object.assign(new Error("Rate limit reached for requests"), { status: 429, name: "RateLimitError" });
    const failure = await openai.chat.completions.create({ model: "llama-3.3-70b", messages }).catch((e: unknown) => e);
    expect(failure).toBe(raw.failWith); // the very same error object
    expect(raw.calls).toBe(3);

    await client.close();
    const { body } = await getJson<{ events: Record<string, unknown>[] }>("/v1/executions/wrapped-1", project.read_key);
    expect(body.events).toHaveLength(3);
    expect(body.events[0]).toMatchObject({
      type: "llm_call",
      provider: "groq",
      model: "llama-3.3-70b",
      agent: "support",
      status: "ok",
      input_tokens: 12,
      output_tokens: 3,
      finish_reason: "stop",
      messages,
      attributes: { "gen_ai.response.model": "llama-3.3-70b-2026-01-01" },
    });
    expect(body.events[1]).toMatchObject({ status: "ok", input_tokens: 9, output_tokens: 2, response: "Hello", finish_reason: "stop" });
    expect(body.events[2]).toMatchObject({ status: "error", error: { class: "rate_limited", http_status: 429, type: "RateLimitError" } });
    expect(typeof body.events[2]?.latency_ms).toBe("number");
  });
});
