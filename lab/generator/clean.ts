// Clean runs: what the agents of the lab's airline-support product do on a good day.
// - airline-support: a tau-bench airline conversation replayed as an instrumented agent sends it
//   (an llm_call per assistant turn, a tool_call per tool call with an MCP-style result, a policy
//   validator and sometimes a human approval before each booking change, a checkpoint per user turn,
//   a faithfulness score at the end);
// - the same conversation behind a triage router (multi-agent: router -> specialist -> notifier);
// - itinerary-digest: a cron job every 10 minutes that summarises one reservation.
import type { Corpora, TauTrajectory } from "./corpora.ts";
import { loadCorpora, shapeKey } from "./corpora.ts";
import type { Rng } from "./prng.ts";
import { PROVIDER_OF, Run, STRUCTURED_TOOLS, WRITE_TOOLS, costUsd, messagesBefore, parseArgs, responseOf, tokensOf, toolResult, toolResultsOf } from "./events.ts";
import type { LabEvent, LabExecution } from "./types.ts";

export const TENANTS = ["skyways", "northjet", "bluecrest-air", "pacific-link", "aurora-airlines", "meridian-air"];
export const AIRLINE_MODEL = "gpt-4o";
export const ROUTER_MODEL = "gpt-4o-mini";
export const NOTIFIER_MODEL = "claude-haiku-4-5";
export const DIGEST_MODEL = "gemini-2.5-flash";
export const RELEASE = "2.14.0";

export interface AirlineOptions {
  /** Defaults to the loaded corpora. */
  corpora?: Corpora;
  id: string;
  tenant: string;
  start: number;
  traj: TauTrajectory;
  rng: Rng;
  agent?: string;
  name?: string;
  parent?: string;
  policy?: Record<string, unknown>;
  /** Probability of a human approval before a booking change. */
  approvalRate?: number;
}

export interface BuiltRun {
  run: Run;
  /** Index in run.execution.events of each llm_call, by assistant turn order. */
  llmIndexes: number[];
}

export function airlineRun(o: AirlineOptions): BuiltRun {
  const agent = o.agent ?? "airline-agent";
  const run = new Run(o.id, o.tenant, o.start, agent, o.rng);
  run.add("execution_started", {
    name: o.name ?? "airline-support",
    release: RELEASE,
    environment: "production",
    sdk: { name: "vigil-lab", version: "1.0.0" },
    policy: { max_wall_seconds: 1800, ...(o.policy ?? {}) },
    ...(o.parent ? { parent_execution_id: o.parent } : {}),
  });
  const results = toolResultsOf(o.traj);
  const llmIndexes: number[] = [];
  let userTurns = 0;
  const toolsUsed: string[] = [];
  const traj = o.traj.traj;
  traj.forEach((m, i) => {
    if (m.role === "user") {
      userTurns++;
      run.add("checkpoint", { name: "conversation_state", state: { user_turns: userTurns, tools_used: toolsUsed.length, last_tool: toolsUsed.at(-1) ?? null } }, o.rng.int(2000, 9000));
      return;
    }
    if (m.role !== "assistant") return;
    const messages = messagesBefore(traj, i);
    // The agent keeps a rolling context (policy, tool schemas and the newest turns): what it sends is what it pays for.
    const input = 1750 + tokensOf(JSON.stringify(messages));
    const output = tokensOf(JSON.stringify(responseOf(m)));
    llmIndexes.push(run.execution.events.length);
    run.add(
      "llm_call",
      {
        provider: PROVIDER_OF[AIRLINE_MODEL],
        model: AIRLINE_MODEL,
        messages,
        response: responseOf(m),
        input_tokens: input,
        output_tokens: output,
        cost_usd: costUsd(AIRLINE_MODEL, input, output),
        latency_ms: o.rng.int(600, 4200),
        status: "ok",
        finish_reason: m.tool_calls ? "tool_calls" : "stop",
      },
      run.llmPause(),
    );
    for (const [k, call] of (m.tool_calls ?? []).entries()) {
      const name = call.function.name;
      if (WRITE_TOOLS.has(name)) {
        run.add("validator_check", { validator: "policy_guard", status: "passed", category: "booking_policy" }, 150);
        if (o.rng.chance(o.approvalRate ?? 0.25)) {
          run.add(
            "human_intervention",
            { request_id: `${o.id}-approval-${toolsUsed.length}`, response_kind: "approved", wait_duration_ms: o.rng.int(15_000, 140_000), sla_seconds: 300 },
            o.rng.int(15_000, 140_000),
          );
        }
      }
      const text = results.get(`${i}:${k}`) ?? "";
      let structured: unknown;
      if (STRUCTURED_TOOLS.has(name) && text.startsWith("{")) {
        const parsed = JSON.parse(text) as unknown;
        if (shapeKey(parsed) === (o.corpora ?? loadCorpora()).reservationShape) structured = parsed;
      }
      run.add(
        "tool_call",
        { tool: name, arguments: parseArgs(call.function.arguments), result: toolResult(text, structured), status: "ok", latency_ms: o.rng.int(80, 900) },
        run.toolPause(),
      );
      toolsUsed.push(name);
    }
  });
  run.add("eval_score", { evaluator: "ragas", metric: "faithfulness", score: Math.round((0.78 + o.rng.next() * 0.21) * 1000) / 1000, passed: true }, 500);
  return { run, llmIndexes };
}

export function finish(run: Run, status = "completed", extra: Record<string, unknown> = {}): LabEvent {
  const started = run.execution.events[0]!.timestamp;
  return run.add("execution_finished", { status, duration_ms: run.t + 300 - started, ...extra }, 300);
}

/** A clean single-agent run. */
export function cleanAirline(id: string, tenant: string, start: number, traj: TauTrajectory, rng: Rng): LabExecution[] {
  const { run } = airlineRun({ id, tenant, start, traj, rng });
  finish(run);
  return [run.execution];
}

/** Router -> specialist (the tau-bench conversation) -> notifier, each its own execution. */
export function multiAgentRun(
  id: string,
  tenant: string,
  start: number,
  traj: TauTrajectory,
  rng: Rng,
  specialist: (childId: string, childStart: number) => { execution: LabExecution; end: number; status: string },
  withNotifier = true,
): { executions: LabExecution[]; root: Run; childId: string } {
  const root = new Run(id, tenant, start, "triage-router", rng);
  root.add("execution_started", { name: "airline-triage", release: RELEASE, environment: "production", policy: { max_wall_seconds: 1800 } });
  const firstUser = traj.traj.find((m) => m.role === "user")?.content ?? "";
  const intent = /cancel/i.test(firstUser) ? "cancellation" : /book/i.test(firstUser) ? "new_booking" : "change_request";
  const routerIn = tokensOf(firstUser) + 180;
  root.add(
    "llm_call",
    {
      provider: PROVIDER_OF[ROUTER_MODEL],
      model: ROUTER_MODEL,
      messages: [
        { role: "system", content: "Classify the customer's request for the airline desk as new_booking, change_request or cancellation, and route it." },
        { role: "user", content: firstUser.slice(0, 900) },
      ],
      response: JSON.stringify({ intent, route: "airline-agent" }),
      input_tokens: routerIn,
      output_tokens: 14,
      cost_usd: costUsd(ROUTER_MODEL, routerIn, 14),
      latency_ms: rng.int(250, 700),
      status: "ok",
      finish_reason: "stop",
    },
    rng.int(300, 900),
  );
  const childId = `${id}.specialist`;
  root.add("agent_handoff", { from_agent: "triage-router", to_agent: "airline-agent", child_execution_id: childId, kind: "delegate" }, 100);
  const child = specialist(childId, root.t + 200);
  const executions = [root.execution, child.execution];
  root.t = child.end;
  if (withNotifier && child.status === "completed") {
    const notifierId = `${id}.notifier`;
    root.add("agent_handoff", { from_agent: "triage-router", to_agent: "notifier", child_execution_id: notifierId, kind: "delegate" }, 200);
    const n = new Run(notifierId, tenant, root.t + 100, "notifier", rng);
    n.add("execution_started", { name: "customer-notification", parent_execution_id: id, release: RELEASE, environment: "production" });
    const summary = traj.traj.filter((m) => m.role === "assistant" && m.content).at(-1)?.content ?? "Your request has been handled.";
    const nIn = tokensOf(summary) + 120;
    const body = `Hello,\n\nthis confirms the update to your trip: ${summary.slice(0, 400)}\n\nKind regards,\nCustomer care`;
    n.add(
      "llm_call",
      {
        provider: PROVIDER_OF[NOTIFIER_MODEL],
        model: NOTIFIER_MODEL,
        messages: [
          { role: "system", content: "Write a short, friendly confirmation e-mail to the traveller about what the airline agent did." },
          { role: "user", content: summary.slice(0, 900) },
        ],
        response: body,
        input_tokens: nIn,
        output_tokens: tokensOf(body),
        cost_usd: costUsd(NOTIFIER_MODEL, nIn, tokensOf(body)),
        latency_ms: rng.int(700, 2000),
        status: "ok",
        finish_reason: "stop",
      },
      rng.int(800, 2500),
    );
    n.add("tool_call", { tool: "send_email", arguments: { template: "trip-update", locale: "en" }, result: toolResult("queued"), status: "ok", latency_ms: rng.int(40, 200) }, 300);
    finish(n);
    executions.push(n.execution);
    root.t = n.t;
  }
  finish(root, child.status === "completed" ? "completed" : "failed");
  return { executions, root, childId };
}

export function specialistRun(traj: TauTrajectory, tenant: string, parent: string, rng: Rng) {
  return (childId: string, childStart: number) => {
    const { run } = airlineRun({ id: childId, tenant, start: childStart, traj, rng, parent });
    finish(run);
    return { execution: run.execution, end: run.t, status: "completed" };
  };
}

/** Summaries of one reservation for the daily itinerary e-mail. `inflate` multiplies the prompt (cost velocity). */
export function digestRun(id: string, tenant: string, start: number, reservation: Record<string, unknown>, rng: Rng, inflate = 1): LabExecution {
  const run = new Run(id, tenant, start, "digest-writer", rng);
  run.add("execution_started", { name: "itinerary-digest", release: RELEASE, environment: "production", policy: { max_wall_seconds: 600 } });
  const text = JSON.stringify(reservation);
  run.add(
    "tool_call",
    { tool: "get_reservation_details", arguments: { reservation_id: reservation["reservation_id"] }, result: toolResult(text, reservation), status: "ok", latency_ms: rng.int(60, 300) },
    rng.int(200, 800),
  );
  const flights = (reservation["flights"] as { origin?: string; destination?: string; date?: string; flight_number?: string }[] | undefined) ?? [];
  const legs = flights.map((f) => `${f.flight_number} ${f.origin}→${f.destination} on ${f.date}`).join("; ");
  const response = `Your trip ${String(reservation["reservation_id"])} (${String(reservation["cabin"])}): ${legs}. Checked bags: ${String(reservation["total_baggages"])}. Travel insurance: ${String(reservation["insurance"])}.`;
  const input = (tokensOf(text) + 220) * inflate;
  const output = tokensOf(response);
  run.add(
    "llm_call",
    {
      provider: PROVIDER_OF[DIGEST_MODEL],
      model: DIGEST_MODEL,
      messages: [
        { role: "system", content: "You write the traveller's daily itinerary e-mail from one reservation record. Be brief and exact." },
        { role: "user", content: `Reservation record:\n${text.slice(0, 1500)}` },
      ],
      response,
      input_tokens: input,
      output_tokens: output,
      cost_usd: costUsd(DIGEST_MODEL, input, output),
      latency_ms: rng.int(400, 1500) * inflate,
      status: "ok",
      finish_reason: "stop",
    },
    rng.int(500, 1500),
  );
  finish(run);
  return run.execution;
}

export function pickTrajectory(c: Corpora, rng: Rng, minAssistantTurns = 2): TauTrajectory {
  for (;;) {
    const t = rng.pick(c.tau);
    if (t.traj.filter((m) => m.role === "assistant").length >= minAssistantTurns) return t;
  }
}

export function trajectoryLabel(t: TauTrajectory): string {
  return `tau-bench airline task ${t.task_id} trial ${t.trial} (file index ${t.index})`;
}
