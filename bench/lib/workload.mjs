// Realistic, deterministic agent events (spec section 4.2), identical for every system under test.
// Content comes from a seeded generator keyed by (execution id, sequence number): the same
// execution id always yields the same events, and every LLM call's newest turn is fresh prose, so a
// healthy run does not look like a loop to Vigil's detectors (identical/similar call loops, token
// waste, semantic loop). Only timestamps depend on when a batch is built.

const WORDS = (
  "the a of to and in for on with by from as at this that these those it its we our you your they their " +
  "flight hotel booking price fare route airport city date night room guest review rating policy refund " +
  "search result query page source document section summary table figure chart metric revenue quarter " +
  "customer order invoice shipment delivery status tracking warehouse supplier contract clause term " +
  "meeting agenda note action owner deadline draft version change request approval budget forecast " +
  "error retry timeout latency cache index schema column record field value filter sort limit offset " +
  "north south east west early late morning evening weekend weekday monday tuesday wednesday thursday friday " +
  "first second third next previous last new old large small fast slow cheap expensive direct nonstop " +
  "compare check verify collect extract rank select update confirm cancel schedule estimate explain " +
  "because however therefore although while since unless until after before during between within " +
  "analysis report finding evidence claim citation quote author paper study trial sample cohort result " +
  "engine pump valve sensor reading threshold alarm maintenance inspection repair part manual step " +
  "river mountain lake coast island valley forest desert harbor bridge tower museum market garden " +
  "red blue green amber silver golden bright dark quiet busy open closed available pending complete"
).split(/\s+/);

const SYSTEM_PROMPT =
  "You are a careful research and operations assistant. Use the tools you are given to look things up " +
  "before answering, cite the sources you used, keep answers short, and say plainly when the evidence " +
  "is not sufficient. Never invent prices, dates or names.";

const TOOLS = ["web_search", "read_document", "sql_query", "http_get", "calculator", "calendar_lookup"];
const MODELS = [
  ["anthropic", "claude-sonnet-4-5"],
  ["openai", "gpt-4o-2024-11-20"],
];

/** FNV-1a over the string, then a mulberry32 stream: cheap, deterministic, good enough for prose. */
function rngFor(key) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function words(rng, n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = WORDS[(rng() * WORDS.length) | 0];
  return out.join(" ");
}

const int = (rng, lo, hi) => lo + ((rng() * (hi - lo + 1)) | 0);

/** The kind of the event at position `seq` of an execution of `length` events. */
function kindAt(seq, length, shape) {
  if (seq === 0) return "execution_started";
  if (seq === length - 1) return "execution_finished";
  if (shape === "short") {
    // 10 events: started, llm, tool, llm, tool, checkpoint, llm, eval, llm, finished
    return ["", "llm_call", "tool_call", "llm_call", "tool_call", "checkpoint", "llm_call", "eval_score", "llm_call"][seq] ?? "llm_call";
  }
  // A long agent loop: think, act, think, act, ... with a checkpoint and an evaluation every 10.
  return ["llm_call", "tool_call", "llm_call", "tool_call", "llm_call", "tool_call", "checkpoint", "llm_call", "tool_call", "eval_score"][
    seq % 10
  ];
}

/**
 * Builds event `seq` (0-based) of execution `executionId`, `length` events long in total.
 * `ts` is the event's timestamp in epoch milliseconds.
 */
export function makeEvent(executionId, seq, length, ts) {
  const shape = length <= 50 ? "short" : "long";
  const rng = rngFor(`${executionId}#${seq}`);
  const kind = kindAt(seq, length, shape);
  const base = { id: `${executionId}-e${seq}`, type: kind, execution_id: executionId, timestamp: ts, agent: "researcher" };
  switch (kind) {
    case "execution_started":
      return {
        ...base,
        name: shape === "short" ? "answer-question" : "long-research-task",
        tenant_id: `tenant-${executionId.length % 7}`,
        environment: "bench",
        release: "2026.11.24",
        sdk: { name: "vigil-bench", version: "1.0.0" },
        // A long-running agent declares a budget that fits it (the default is 500 steps).
        ...(shape === "long" ? { policy: { max_steps: 100_000, max_wall_seconds: 86_400 } } : {}),
      };
    case "execution_finished":
      return { ...base, status: "completed", duration_ms: int(rng, 2_000, 90_000) };
    case "llm_call": {
      const [provider, model] = MODELS[seq % MODELS.length];
      const task = rngFor(`${executionId}#task`);
      return {
        ...base,
        provider,
        model,
        messages: [
          { role: "system", content: SYSTEM_PROMPT },
          { role: "user", content: `Task: ${words(task, 24)}.` },
          { role: "assistant", content: `So far: ${words(rng, 18)}.` },
          { role: "user", content: `Step ${seq}. ${words(rng, 40)}. Next, ${words(rng, 12)}?` },
        ],
        response: `${words(rng, 30)}.`,
        input_tokens: int(rng, 900, 6_000),
        output_tokens: int(rng, 60, 500),
        cost_usd: Math.round(rng() * 2_000) / 100_000,
        latency_ms: int(rng, 300, 4_000),
        status: "ok",
        finish_reason: "stop",
        attributes: { step: seq, temperature: 0.2 },
      };
    }
    case "tool_call": {
      const tool = TOOLS[int(rng, 0, TOOLS.length - 1)];
      return {
        ...base,
        tool,
        arguments: { query: words(rng, 8), limit: int(rng, 3, 10), page: int(rng, 1, 4) },
        result: {
          items: [words(rng, 10), words(rng, 10), words(rng, 10)].map((title, i) => ({ rank: i + 1, title, score: Math.round(rng() * 100) / 100 })),
          took_ms: int(rng, 20, 900),
        },
        status: "ok",
        latency_ms: int(rng, 20, 1_200),
      };
    }
    case "checkpoint":
      return { ...base, name: "plan", state: { step: seq, done: Math.floor(seq / 10), next: words(rng, 6), open_questions: int(rng, 0, 5) } };
    case "eval_score":
      return {
        ...base,
        evaluator: "groundedness-judge",
        metric: "groundedness",
        score: Math.round((0.72 + rng() * 0.27) * 1000) / 1000,
        passed: true,
        reason: words(rng, 12),
      };
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

export const SHORT_LENGTH = 10;
export const LONG_LENGTH = 20_000;
export const BATCH = 100;

/** One request of the short workload: `BATCH / SHORT_LENGTH` whole executions. */
export function shortBatch(prefix, requestIndex, now = Date.now()) {
  const events = [];
  const perBatch = BATCH / SHORT_LENGTH;
  for (let x = 0; x < perBatch; x++) {
    const executionId = `${prefix}-${String(requestIndex * perBatch + x).padStart(7, "0")}`;
    for (let seq = 0; seq < SHORT_LENGTH; seq++) events.push(makeEvent(executionId, seq, SHORT_LENGTH, now - 1_000 + seq * 50));
  }
  return Buffer.from(JSON.stringify({ events }));
}

/** Batch `batchIndex` (0-based) of long execution `executionId`: its events 100*i .. 100*i+99. */
export function longBatch(executionId, batchIndex, now = Date.now(), length = LONG_LENGTH) {
  const events = [];
  const first = batchIndex * BATCH;
  for (let seq = first; seq < Math.min(first + BATCH, length); seq++) events.push(makeEvent(executionId, seq, length, now - BATCH + (seq - first)));
  return Buffer.from(JSON.stringify({ events }));
}

export const batchesPerLongExecution = (length = LONG_LENGTH) => Math.ceil(length / BATCH);
