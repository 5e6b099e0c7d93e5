// Failure modes that live in one execution (per-execution detectors).
import { AIRLINE_MODEL, airlineRun, finish, trajectoryLabel } from "../clean.ts";
import type { TauTrajectory } from "../corpora.ts";
import type { Run } from "../events.ts";
import { PROVIDER_OF, WRITE_TOOLS, costUsd, newestTurnText, toolResult, tokensOf } from "../events.ts";
import type { LabEvent } from "../types.ts";
import { cut, indexOfType, splice } from "./splice.ts";
import type { BuildContext, Built, ModeSpec } from "./types.ts";
import { label } from "./types.ts";

function trajWhere(ctx: BuildContext, pred: (t: TauTrajectory) => boolean): TauTrajectory {
  const pool = ctx.corpora.tau.filter(pred);
  return ctx.rng.pick(pool.length > 0 ? pool : ctx.corpora.tau);
}

const assistantTurns = (t: TauTrajectory) => t.traj.filter((m) => m.role === "assistant").length;
const hasWrite = (t: TauTrajectory) => t.traj.some((m) => (m.tool_calls ?? []).some((c) => WRITE_TOOLS.has(c.function.name)));
const steps = (t: TauTrajectory) => t.traj.reduce((n, m) => n + (m.role === "assistant" ? 1 + (m.tool_calls?.length ?? 0) : 0), 0);

function base(ctx: BuildContext, traj: TauTrajectory, policy?: Record<string, unknown>) {
  return airlineRun({ id: ctx.id, tenant: ctx.tenant, start: ctx.start, traj, rng: ctx.rng, approvalRate: 0, ...(policy ? { policy } : {}) });
}

function done(run: Run, ctx: BuildContext, traj: TauTrajectory, completing: LabEvent, variant: string, description: string, extra: Partial<Built> = {}): Built {
  return {
    executions: [run.execution],
    detect_on: [ctx.id],
    completing,
    variant,
    description,
    clean_run: `${trajectoryLabel(traj)}, completed`,
    ...extra,
  };
}

const llmFields = (messages: Record<string, unknown>[], response: unknown, rngInt: (a: number, b: number) => number, extra: Record<string, unknown> = {}) => {
  const input = tokensOf(JSON.stringify(messages)) + 1700;
  const output = tokensOf(JSON.stringify(response));
  return {
    provider: PROVIDER_OF[AIRLINE_MODEL],
    model: AIRLINE_MODEL,
    messages,
    response,
    input_tokens: input,
    output_tokens: output,
    cost_usd: costUsd(AIRLINE_MODEL, input, output),
    latency_ms: rngInt(600, 3000),
    status: "ok",
    finish_reason: "stop",
    ...extra,
  };
};

export const hallucination: ModeSpec = {
  mode: "hallucination",
  failure_class: "grounding_failure",
  label: "hallucination (grounding evaluations fail)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "the run's faithfulness evaluation comes back passed=false with a score of 0.12-0.38 (threshold: passed=false, or a mean below 0.5)",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => assistantTurns(t) >= 3);
    const { run } = base(ctx, traj);
    const ev = run.execution.events.at(-1)!;
    Object.assign(ev, {
      score: Math.round((0.12 + ctx.rng.next() * 0.26) * 1000) / 1000,
      passed: false,
      reason: "The answer states a fare difference and a refund amount that appear in none of the retrieved reservation or flight records.",
    });
    label(ev, "hallucination");
    finish(run);
    return done(run, ctx, traj, ev, "faithfulness_failed", "final faithfulness evaluation fails");
  },
};

export const incorrectReasoning: ModeSpec = {
  mode: "incorrect_reasoning",
  failure_class: "validator_failure",
  label: "incorrect reasoning (validators reject)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "a policy validator returns status=failed before a booking change (one failed check fires)",
  build(ctx) {
    const traj = trajWhere(ctx, hasWrite);
    const { run } = base(ctx, traj);
    const at = indexOfType(run, "validator_check");
    const reasons = [
      ["refund_policy", "Proposed a full refund for a basic-economy reservation booked more than 24 hours ago."],
      ["fare_arithmetic", "The quoted fare difference does not equal the sum of the new segment prices minus the old ones."],
      ["cabin_rule", "Attempted to change the cabin of only one segment of a round trip."],
    ] as const;
    const [category, reason] = reasons[ctx.index % reasons.length]!;
    const [ev] = splice(run, at, [{ type: "validator_check", fields: { validator: "policy_guard", status: "failed", category, reason, severity: "error" }, after: 200 }], "incorrect_reasoning");
    finish(run);
    return done(run, ctx, traj, ev!, category, `policy_guard rejects the agent's plan (${category}); the agent then re-plans`);
  },
};

export const infiniteLoop: ModeSpec = {
  mode: "infinite_loop",
  failure_class: "identical_call_loop",
  label: "infinite loop (identical calls)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "the same model and messages are sent 4 times in a row (threshold: more than 3 identical calls in the last 200)",
  build(ctx) {
    // The framework re-sends a prompt whose tool-call JSON came back truncated. The repeated prompt
    // is one whose newest turn is a short user reply, so the repeats are not also similar-call or
    // token-waste patterns (those compare only turns of 40 and 200+ characters).
    const shortTurn = (t: TauTrajectory) => t.traj.some((m, i) => m.role === "assistant" && i > 1 && t.traj[i - 1]!.role === "user" && (t.traj[i - 1]!.content ?? "").length < 38);
    const traj = trajWhere(ctx, shortTurn);
    const { run, llmIndexes } = base(ctx, traj);
    const events = run.execution.events;
    let at = llmIndexes.find((i) => {
      const len = newestTurnText(events[i]!.messages as Record<string, unknown>[]).length;
      return len > 0 && len < 40;
    });
    const implied: string[] = [];
    if (at === undefined) {
      at = llmIndexes[0]!;
      const len = newestTurnText(events[at]!.messages as Record<string, unknown>[]).length;
      if (len >= 40) implied.push("similar_call_loop");
      if (len >= 200) implied.push("token_waste");
    }
    const original = events[at]!;
    const repeat = (k: number) => ({
      type: "llm_call",
      fields: { ...Object.fromEntries(Object.entries(original).filter(([f]) => !["id", "timestamp", "type", "execution_id", "tenant_id", "agent", "attributes"].includes(f))), response: '{"tool_calls": [{"name": "', finish_reason: "length", latency_ms: 900 + k * 10 },
      after: ctx.rng.int(700, 1500),
    });
    const added = splice(run, at + 1, [repeat(1), repeat(2), repeat(3), repeat(4)], "infinite_loop");
    finish(run);
    return done(run, ctx, traj, added[2]!, "truncated_tool_call_retry", "the same prompt is re-sent 4 more times after truncated responses", implied.length ? { implied: { [ctx.id]: implied } } : {});
  },
};

function withSeats(flights: unknown[], k: number): unknown[] {
  return flights.map((f, j) => {
    const flight = f as Record<string, unknown>;
    const seats = { ...(flight["available_seats"] as Record<string, number>) };
    const cabin = Object.keys(seats)[j % Object.keys(seats).length]!;
    seats[cabin] = (seats[cabin] ?? 0) + k;
    return { ...flight, available_seats: seats };
  });
}

export const similarLoop: ModeSpec = {
  mode: "similar_loop",
  failure_class: "similar_call_loop",
  label: "infinite loop (similar calls)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "the agent re-runs the same flight search 4 times, getting results that differ only in a few seat counts (threshold: 3 calls with 3-gram cosine >= 0.9 of action and input within 10 calls)",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => assistantTurns(t) >= 3);
    const { run, llmIndexes } = base(ctx, traj);
    const flights = ctx.rng.pick(ctx.corpora.flightSearches);
    const f0 = flights[0] as Record<string, string>;
    const args = JSON.stringify({ origin: f0["origin"], destination: f0["destination"], date: "2024-05-20" });
    const userMsg = String(traj.traj.find((m) => m.role === "user")?.content ?? "").slice(0, 900);
    const items: { type: string; fields: Record<string, unknown>; after: number }[] = [];
    const history: Record<string, unknown>[] = [{ role: "user", content: userMsg }];
    for (let k = 0; k < 4; k++) {
      const result = JSON.stringify(withSeats(flights, k));
      const call = { id: `call_poll_${ctx.index}_${k}`, type: "function", function: { name: "search_direct_flight", arguments: args } };
      history.push({ role: "assistant", content: "", tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: result });
      items.push({ type: "tool_call", fields: { tool: "search_direct_flight", arguments: JSON.parse(args), result: toolResult(result), status: "ok", latency_ms: 300 }, after: ctx.rng.int(300, 900) });
      const messages = [{ role: "system", content: "# Airline Agent Policy (short)" }, ...history.slice(-6)];
      items.push({ type: "llm_call", fields: llmFields(messages, { tool_calls: [{ name: "search_direct_flight", arguments: args }] }, (a, b) => ctx.rng.int(a, b), { finish_reason: "tool_calls" }), after: ctx.rng.int(1500, 4000) });
    }
    const added = splice(run, (llmIndexes[1] ?? llmIndexes[0]!) + 1, items, "similar_loop");
    finish(run);
    const llm = added.filter((e) => e.type === "llm_call");
    return done(run, ctx, traj, llm[2]!, "polling_search", "the agent polls the same direct-flight search 4 times while seat counts barely move", { source: "tau-bench airline search_direct_flight result" });
  },
};

export const stuckPattern: ModeSpec = {
  mode: "stuck_pattern",
  failure_class: "semantic_loop",
  label: "stuck pattern (semantic loop)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "the agent's conversation_state checkpoint reaches the same state 3 times (threshold: 3 identical canonical states in the last 200 checkpoints)",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => assistantTurns(t) >= 3);
    const { run } = base(ctx, traj);
    const at = indexOfType(run, "checkpoint", 2);
    const state = { stage: "collect_payment", missing: ["payment_id"], reservation_draft: "pending_confirmation" };
    const added = splice(
      run,
      at > 0 ? at : 2,
      [0, 1, 2].map(() => ({ type: "checkpoint", fields: { name: "conversation_state", state }, after: ctx.rng.int(20_000, 45_000) })),
      "stuck_pattern",
    );
    finish(run);
    return done(run, ctx, traj, added[2]!, "payment_collection", "the agent returns to the same collect-payment state three times");
  },
};

export const apiTimeout: ModeSpec = {
  mode: "api_timeout",
  failure_class: "time_budget_exceeded",
  label: "API timeout (time budget)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "a reservations-API call hangs 6-9 minutes inside a run whose policy allows 300 s; the run ends with status timeout",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => assistantTurns(t) >= 2);
    const { run, llmIndexes } = base(ctx, traj, { max_wall_seconds: 300 });
    const at = llmIndexes[0]! + 1;
    const hang = ctx.rng.int(360_000, 540_000);
    const [ev] = splice(
      run,
      at,
      [{ type: "tool_call", fields: { tool: "search_onestop_flight", arguments: { origin: "JFK", destination: "SEA", date: "2024-05-20" }, result: toolResult("upstream took too long; partial response discarded"), status: "ok", latency_ms: hang }, after: hang }],
      "api_timeout",
    );
    cut(run, at + 1);
    finish(run, "timeout", { error: { type: "DeadlineExceeded", message: "run exceeded its 300 s wall-clock budget" } });
    return done(run, ctx, traj, ev!, "hung_backend", "a reservations-API call hangs for minutes; the run times out");
  },
};

export const authError: ModeSpec = {
  mode: "auth_error",
  failure_class: "tool_failure",
  label: "auth error (tool failures)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "a tool call comes back status=failed with error type AuthenticationError (one failure fires)",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => t.traj.some((m) => m.role === "tool"));
    const { run } = base(ctx, traj);
    const at = indexOfType(run, "tool_call");
    const tool = run.execution.events[at]!.tool as string;
    const [ev] = splice(
      run,
      at,
      [{ type: "tool_call", fields: { tool, arguments: run.execution.events[at]!.arguments, status: "failed", error: { type: "AuthenticationError", message: "401 Unauthorized: the service token for the reservations API has expired" }, latency_ms: 120 }, after: 300 }],
      "auth_error",
    );
    finish(run);
    return done(run, ctx, traj, ev!, tool, `${tool} fails with 401 once; the agent refreshes its token and retries`);
  },
};

export const tokenLimit: ModeSpec = {
  mode: "token_limit",
  failure_class: "context_overflow",
  label: "token limit (context overflow)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "the provider refuses a call with error class context_length_exceeded",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => assistantTurns(t) >= 3);
    const { run, llmIndexes } = base(ctx, traj);
    const at = llmIndexes[2]!;
    const original = run.execution.events[at]!;
    cut(run, at);
    const [ev] = splice(
      run,
      at,
      [
        {
          type: "llm_call",
          fields: {
            provider: "openai",
            model: AIRLINE_MODEL,
            messages: original.messages,
            status: "error",
            error: { class: "context_length_exceeded", type: "invalid_request_error", http_status: 400, message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 131406 tokens." },
            latency_ms: 350,
          },
          after: 2000,
        },
      ],
      "token_limit",
    );
    finish(run, "failed", { error: { type: "ContextLengthExceeded" } });
    return done(run, ctx, traj, ev!, "provider_refused", "a call with the whole fare table pasted in is refused as too long");
  },
};

export const memoryExhaustion: ModeSpec = {
  mode: "memory_exhaustion",
  failure_class: "crash",
  label: "memory exhaustion (a crash)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "the run finishes with status crashed and a MemoryError",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => assistantTurns(t) >= 3);
    const { run, llmIndexes } = base(ctx, traj);
    cut(run, llmIndexes[2]!);
    const ev = label(
      finish(run, "crashed", {
        error: {
          type: "MemoryError",
          message: "",
          stack:
            'Traceback (most recent call last):\n  File "/srv/agent/run.py", line 212, in run_agent\n    state = load_history(session)\n  File "/srv/agent/memory.py", line 88, in load_history\n    turns = [decode(t) for t in store.scan(session.id)]\n  File "/srv/agent/memory.py", line 41, in decode\n    return json.loads(blob)\nMemoryError',
        },
      }),
      "memory_exhaustion",
    );
    return done(run, ctx, traj, ev, "load_history", "the worker runs out of memory loading a session's history");
  },
};

export const rateLimiting: ModeSpec = {
  mode: "rate_limiting",
  failure_class: "infrastructure_throttled",
  label: "rate limiting (infrastructure throttled)",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "the gateway reports a rate_limited infrastructure_event (HTTP 429) for the run (one event fires)",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => assistantTurns(t) >= 2);
    const { run, llmIndexes } = base(ctx, traj);
    const retry = ctx.rng.int(4000, 20000);
    const [ev] = splice(run, llmIndexes[1]!, [{ type: "infrastructure_event", fields: { reason: "rate_limited", provider: "openai", http_status: 429, retry_after_ms: retry }, after: 500 }], "rate_limiting");
    finish(run);
    return done(run, ctx, traj, ev!, "openai_429", "the LLM gateway throttles the run once; it waits and goes on");
  },
};

export const tokenWaste: ModeSpec = {
  mode: "token_waste",
  failure_class: "token_waste",
  label: "token waste",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "the same reservation lookup and its 700+ character result are sent to the model 3 times after the same action (threshold: 3 repeats of a 200+ character newest turn)",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => assistantTurns(t) >= 2);
    const { run, llmIndexes } = base(ctx, traj);
    const reservation = ctx.rng.pick(ctx.corpora.reservations);
    const rid = String(reservation["reservation_id"]);
    const text = JSON.stringify(reservation);
    const asks = [`Can you pull up reservation ${rid} for me?`, `Sorry, could you check ${rid} again? I want to be sure about the dates.`, `One more time please: what does ${rid} say about my bags?`];
    const items = asks.flatMap((ask, k) => {
      const call = { id: `call_lookup_${ctx.index}_${k}`, type: "function", function: { name: "get_reservation_details", arguments: JSON.stringify({ reservation_id: rid }) } };
      const messages = [
        { role: "system", content: "# Airline Agent Policy (short)" },
        { role: "user", content: ask },
        { role: "assistant", content: "", tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: text },
      ];
      return [
        { type: "tool_call", fields: { tool: "get_reservation_details", arguments: { reservation_id: rid }, result: toolResult(text, reservation), status: "ok", latency_ms: 200 }, after: ctx.rng.int(5000, 20000) },
        { type: "llm_call", fields: llmFields(messages, `Here are the details of reservation ${rid} again.`, (a, b) => ctx.rng.int(a, b)), after: ctx.rng.int(1500, 3000) },
      ];
    });
    const added = splice(run, llmIndexes[1]!, items, "token_waste");
    finish(run);
    return done(run, ctx, traj, added.filter((e) => e.type === "llm_call")[2]!, "refetch_reservation", "the agent re-fetches and re-reads the same reservation for each follow-up question", { source: "tau-bench airline reservation record" });
  },
};

export const hitlTimeout: ModeSpec = {
  mode: "hitl_timeout",
  failure_class: "hitl_timeout",
  label: "HITL timeout",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "an approval request times out (response_kind timeout) or is answered after 8-15 min against a 300 s SLA",
  build(ctx) {
    const traj = trajWhere(ctx, hasWrite);
    const { run } = base(ctx, traj);
    const at = indexOfType(run, "validator_check");
    const timeout = ctx.index % 2 === 0;
    const wait = timeout ? 600_000 : ctx.rng.int(480_000, 900_000);
    const [ev] = splice(
      run,
      at + 1,
      [{ type: "human_intervention", fields: { request_id: `${ctx.id}-approval`, response_kind: timeout ? "timeout" : "approved", wait_duration_ms: wait, sla_seconds: 300 }, after: wait }],
      "hitl_timeout",
    );
    finish(run);
    return done(run, ctx, traj, ev!, timeout ? "timeout" : "sla_breach", timeout ? "the approval request expires unanswered" : "the approval comes back long after its 5-minute SLA");
  },
};

export const stepCount: ModeSpec = {
  mode: "step_count",
  failure_class: "step_count_exceeded",
  label: "step count",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "a run with a step budget of 12 (policy.max_steps) makes 16 or more LLM and tool calls",
  build(ctx) {
    const traj = trajWhere(ctx, (t) => steps(t) >= 16);
    const { run } = base(ctx, traj, { max_steps: 12 });
    let n = 0;
    let completing: LabEvent | null = null;
    for (const e of run.execution.events) {
      if (e.type !== "llm_call" && e.type !== "tool_call") continue;
      if (++n === 13) completing = label(e, "step_count");
    }
    finish(run);
    return done(run, ctx, traj, completing!, "budget_12", "a long conversation under a 12-step budget");
  },
};

export const EXECUTION_MODES: ModeSpec[] = [
  hallucination,
  incorrectReasoning,
  infiniteLoop,
  similarLoop,
  stuckPattern,
  apiTimeout,
  authError,
  tokenLimit,
  memoryExhaustion,
  rateLimiting,
  tokenWaste,
  hitlTimeout,
  stepCount,
];
