// The Vigil client: typed events per execution, batched in the background (by size and by time),
// sent gzipped to POST /v1/events, retried on 429/503 and network failures with exponential backoff
// and full jitter (or the server's Retry-After), in a bounded queue. Only `fetch`,
// `CompressionStream` and timers are used, so it runs unchanged on Node 20+, Workers, Deno and Bun.
import type { ClientStats, EventFields, EventType, HaltDirective, IngestResponse } from "./types.ts";

export interface ClientOptions {
  /** Base URL of the Vigil API, e.g. http://127.0.0.1:8787. */
  url: string;
  /** An ingest key of the project. */
  key: string;
  /** Events per request (at most 1000, the server's limit). Default 100. */
  batchSize?: number;
  /** How long an event may wait for its batch to fill. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Events the queue holds before new ones are dropped (and counted). Default 10000. */
  maxQueue?: number;
  /** Sends of one request before its events are dropped (and counted). Default 8. */
  maxAttempts?: number;
  /** First backoff, doubled per attempt, with full jitter. Default 500 ms. */
  backoffMs?: number;
  /** Longest wait between attempts, Retry-After included. Default 30 s. */
  maxBackoffMs?: number;
  /** Gzip request bodies. Default true where CompressionStream exists. */
  gzip?: boolean;
  /** The fetch to use (a Worker's service binding, a test double). Default globalThis.fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Waits between attempts; replaceable so tests need not wait on real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Random numbers for jitter, in [0, 1). */
  random?: () => number;
  /** Told about every failed request (after which the client retries or drops). */
  onError?: (error: Error) => void;
  /** Told about every halt directive, once per execution. */
  onHalt?: (directive: HaltDirective) => void;
}

/** Thrown by `throwIfHalted()`, and the reason of an execution's aborted signal, after a halt directive. */
export class VigilHaltError extends Error {
  override readonly name = "VigilHaltError";
  readonly directive: HaltDirective;
  constructor(directive: HaltDirective) {
    super(`Vigil halted execution ${directive.execution_id}: ${directive.failure_class} (${directive.signature})`);
    this.directive = directive;
  }
}

/** A request the server refused for good (400, 401, 403, 415): retrying cannot help. */
export class VigilRequestError extends Error {
  override readonly name = "VigilRequestError";
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

type Queued = Record<string, unknown> & { id: string; type: string; execution_id: string };

const MAX_REQUEST_EVENTS = 1000;
/** Under the server's 1 MiB, with room for the envelope. */
const MAX_REQUEST_BYTES = 900 * 1024;
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

function randomId(): string {
  return crypto.randomUUID();
}

async function gzipText(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Retry-After in seconds or as an HTTP date, as milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export class Execution {
  readonly id: string;
  readonly #client: VigilClient;
  readonly #controller = new AbortController();
  #halt: HaltDirective | null = null;
  readonly #defaults: { agent?: string; tenant_id?: string };

  /** @internal Created by `client.execution()`. */
  constructor(client: VigilClient, id: string, defaults: { agent?: string; tenant_id?: string }) {
    this.#client = client;
    this.id = id;
    this.#defaults = defaults;
  }

  /** Aborted, with a VigilHaltError as its reason, once Vigil says to halt this execution. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get halted(): HaltDirective | null {
    return this.#halt;
  }

  throwIfHalted(): void {
    if (this.#halt) throw new VigilHaltError(this.#halt);
  }

  /** @internal */
  halt(directive: HaltDirective): boolean {
    if (this.#halt) return false;
    this.#halt = directive;
    this.#controller.abort(new VigilHaltError(directive));
    return true;
  }

  /** Sends any event type; the typed methods below are shorthands for this. */
  emit<T extends EventType>(type: T, fields: EventFields<T>): string {
    const { id, ...rest } = fields as EventFields<T> & Record<string, unknown>;
    const event: Queued = { ...this.#defaults, ...rest, id: id ?? randomId(), type, execution_id: this.id };
    if (event.timestamp === undefined) event.timestamp = Date.now();
    this.#client.enqueue(event);
    return event.id;
  }

  executionStarted(fields: EventFields<"execution_started"> = {}): string {
    return this.emit("execution_started", fields);
  }
  executionFinished(fields: EventFields<"execution_finished">): string {
    return this.emit("execution_finished", fields);
  }
  llmCall(fields: EventFields<"llm_call">): string {
    return this.emit("llm_call", fields);
  }
  toolCall(fields: EventFields<"tool_call">): string {
    return this.emit("tool_call", fields);
  }
  validatorCheck(fields: EventFields<"validator_check">): string {
    return this.emit("validator_check", fields);
  }
  checkpoint(fields: EventFields<"checkpoint">): string {
    return this.emit("checkpoint", fields);
  }
  agentHandoff(fields: EventFields<"agent_handoff">): string {
    return this.emit("agent_handoff", fields);
  }
  humanIntervention(fields: EventFields<"human_intervention">): string {
    return this.emit("human_intervention", fields);
  }
  evalScore(fields: EventFields<"eval_score">): string {
    return this.emit("eval_score", fields);
  }
  infrastructureEvent(fields: EventFields<"infrastructure_event">): string {
    return this.emit("infrastructure_event", fields);
  }
}

export class VigilClient {
  readonly #endpoint: string;
  readonly #key: string;
  readonly #batchSize: number;
  readonly #interval: number;
  readonly #maxQueue: number;
  readonly #maxAttempts: number;
  readonly #backoff: number;
  readonly #maxBackoff: number;
  readonly #gzip: boolean;
  readonly #fetch: (request: Request) => Promise<Response>;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #onHalt: ((directive: HaltDirective) => void) | undefined;

  #queue: Queued[] = [];
  #inFlight = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pump: Promise<void> | null = null;
  #closed = false;
  readonly #executions = new Map<string, WeakRef<Execution>>();
  /** Executions already told to halt: the server repeats the directive in every later answer. */
  readonly #halted = new Set<string>();
  readonly #stats: ClientStats = { queued: 0, sent: 0, duplicates: 0, rejected: {}, dropped: 0, retries: 0 };

  constructor(options: ClientOptions) {
    this.#endpoint = `${options.url.replace(/\/+$/, "")}/v1/events`;
    this.#key = options.key;
    this.#batchSize = Math.min(Math.max(1, options.batchSize ?? 100), MAX_REQUEST_EVENTS);
    this.#interval = Math.max(0, options.flushIntervalMs ?? 1000);
    this.#maxQueue = Math.max(1, options.maxQueue ?? 10_000);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.#backoff = Math.max(0, options.backoffMs ?? 500);
    this.#maxBackoff = Math.max(this.#backoff, options.maxBackoffMs ?? 30_000);
    this.#gzip = options.gzip ?? typeof CompressionStream === "function";
    this.#fetch = options.fetch ?? ((request) => fetch(request));
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#onError = options.onError;
    this.#onHalt = options.onHalt;
  }

  /**
   * A handle for one execution (one agent run): typed event methods, and `signal` for halts.
   * With `started`, an execution_started event is sent at once (name, policy, ...).
   */
  execution(id: string = randomId(), options: { agent?: string; tenantId?: string; started?: EventFields<"execution_started"> } = {}): Execution {
    const defaults = { ...(options.agent ? { agent: options.agent } : {}), ...(options.tenantId ? { tenant_id: options.tenantId } : {}) };
    const handle = new Execution(this, id, defaults);
    // Weak: a finished run's handle can be collected even if the client lives for the process.
    this.#executions.set(id, new WeakRef(handle));
    if (options.started) handle.executionStarted(options.started);
    return handle;
  }

  stats(): ClientStats {
    return { ...this.#stats, queued: this.#queue.length + this.#inFlight, rejected: { ...this.#stats.rejected } };
  }

  /** @internal Used by Execution. */
  enqueue(event: Queued): void {
    if (this.#closed) throw new Error("This Vigil client is closed.");
    if (this.#queue.length + this.#inFlight >= this.#maxQueue) {
      this.#stats.dropped++;
      return;
    }
    this.#queue.push(event);
    if (this.#queue.length >= this.#batchSize) this.#kick();
    else if (this.#timer === undefined) this.#timer = setTimeout(() => this.#kick(), this.#interval);
  }

  /** Sends everything queued so far; resolves when it is stored, refused or (after retries) dropped. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#pump) {
      this.#kick();
      await this.#pump;
    }
  }

  /** Flushes, then refuses new events. Nothing queued before close() is lost to it. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #kick(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pump) return;
    this.#pump = this.#drain().finally(() => {
      this.#pump = null;
      if (this.#queue.length > 0 && !this.#closed) this.#timer ??= setTimeout(() => this.#kick(), this.#interval);
    });
  }

  /** One request at a time, in order: a run's events reach the server in the order they happened. */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#takeBatch();
      this.#inFlight = batch.length;
      try {
        await this.#sendWithRetry(batch);
      } finally {
        this.#inFlight = 0;
      }
      if (!this.#closed && this.#queue.length < this.#batchSize) return; // the rest waits for its timer
    }
  }

  #takeBatch(): Queued[] {
    let bytes = 0;
    let n = 0;
    while (n < this.#queue.length && n < this.#batchSize) {
      bytes += JSON.stringify(this.#queue[n]).length + 1;
      if (n > 0 && bytes > MAX_REQUEST_BYTES) break;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  async #sendWithRetry(batch: Queued[]): Promise<void> {
    const text = JSON.stringify({ events: batch });
    const body = this.#gzip ? await gzipText(text) : text;
    for (let attempt = 1; ; attempt++) {
      let wait: number | undefined;
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${this.#key}`, "content-type": "application/json" };
        if (this.#gzip) headers["content-encoding"] = "gzip";
        const response = await this.#fetch(new Request(this.#endpoint, { method: "POST", headers, body }));
        if (response.status === 200 || response.status === 207) {
          this.#record((await response.json()) as IngestResponse);
          return;
        }
        const error = await this.#errorOf(response);
        if (response.status === 413 && batch.length > 1) {
          // Too large for one request: send it as two.
          const half = Math.ceil(batch.length / 2);
          await this.#sendWithRetry(batch.slice(0, half));
          await this.#sendWithRetry(batch.slice(half));
          return;
        }
        if (!RETRY_STATUSES.has(response.status)) {
          this.#onError?.(error);
          const code = response.status === 413 ? "event_too_large" : `http_${response.status}`;
          this.#stats.rejected[code] = (this.#stats.rejected[code] ?? 0) + batch.length;
          return;
        }
        this.#onError?.(error);
        wait = retryAfterMs(response.headers.get("retry-after"));
      } catch (error) {
        // A network failure: the request may or may not have been stored; retrying is safe because
        // event ids make a repeat a duplicate.
        this.#onError?.(error instanceof Error ? error : new Error(String(error)));
      }
      if (attempt >= this.#maxAttempts) {
        this.#stats.dropped += batch.length;
        return;
      }
      this.#stats.retries++;
      const jittered = this.#random() * Math.min(this.#maxBackoff, this.#backoff * 2 ** (attempt - 1));
      await this.#sleep(Math.min(this.#maxBackoff, wait ?? jittered));
    }
  }

  async #errorOf(response: Response): Promise<VigilRequestError> {
    let code = `http_${response.status}`;
    let message = `Vigil answered ${response.status}`;
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      if (body.error?.code) code = body.error.code;
      if (body.error?.message) message = `${message}: ${body.error.message}`;
    } catch {
      // Not our envelope (a proxy's page): the status says enough.
    }
    return new VigilRequestError(response.status, code, message);
  }

  #record(answer: IngestResponse): void {
    this.#stats.sent += answer.accepted;
    this.#stats.duplicates += answer.duplicates;
    for (const r of answer.rejected) this.#stats.rejected[r.code] = (this.#stats.rejected[r.code] ?? 0) + 1;
    for (const directive of answer.directives) {
      if (this.#halted.has(directive.execution_id)) continue;
      this.#halted.add(directive.execution_id);
      this.#executions.get(directive.execution_id)?.deref()?.halt(directive);
      this.#onHalt?.(directive);
    }
  }
}

export function createClient(options: ClientOptions): VigilClient {
  return new VigilClient(options);
}
