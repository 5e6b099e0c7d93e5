// Failure modes seen across executions (project-wide detectors): run trees, and episodes placed
// in time so that a window-based detector sees them.
import { AIRLINE_MODEL, NOTIFIER_MODEL, RELEASE, airlineRun, digestRun, finish, multiAgentRun, trajectoryLabel } from "../clean.ts";
import { PROVIDER_OF, Run, WRITE_TOOLS, costUsd, tokensOf } from "../events.ts";
import type { LabEvent, LabExecution } from "../types.ts";
import { cut, indexOfType, splice } from "./splice.ts";
import type { ModeSpec } from "./types.ts";
import { label } from "./types.ts";

const hasWrite = (t: { traj: { tool_calls?: { function: { name: string } }[] }[] }) => t.traj.some((m) => (m.tool_calls ?? []).some((c) => WRITE_TOOLS.has(c.function.name)));

export const cascadingFailure: ModeSpec = {
  mode: "cascading_failure",
  failure_class: "cascading_failure",
  label: "cascading failure",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "the router delegates to a specialist child execution that ends validation_failed, crashed or timeout (fires once per parent-child pair, on the parent)",
  build(ctx) {
    const traj = ctx.rng.pick(ctx.corpora.tau.filter((t) => t.traj.filter((m) => m.role === "assistant").length >= 3));
    const status = (["validation_failed", "crashed", "timeout"] as const)[ctx.index % 3]!;
    let completing: LabEvent | null = null;
    const { executions, root, childId } = multiAgentRun(ctx.id, ctx.tenant, ctx.start, traj, ctx.rng, (id, start) => {
      const { run, llmIndexes } = airlineRun({ id, tenant: ctx.tenant, start, traj, rng: ctx.rng, parent: ctx.id, approvalRate: 0 });
      cut(run, llmIndexes[2]!);
      const error =
        status === "crashed"
          ? { type: "KeyError", message: "'fare_basis'", stack: 'Traceback (most recent call last):\n  File "/srv/agent/specialist.py", line 97, in handle\n    quote = price_change(res)\n  File "/srv/agent/pricing.py", line 33, in price_change\n    basis = res["fare_basis"]\nKeyError: \'fare_basis\'' }
          : status === "timeout"
            ? { type: "DeadlineExceeded", message: "specialist exceeded the router's deadline" }
            : { type: "OutputValidationError", message: "the specialist's answer did not match the RouterReply schema" };
      completing = label(finish(run, status, { error }), "cascading_failure");
      return { execution: run.execution, end: run.t, status };
    });
    const implied: Record<string, string[]> = {};
    if (status === "crashed") implied[childId] = ["crash"];
    if (status === "timeout") implied[childId] = ["time_budget_exceeded"];
    return {
      executions,
      detect_on: [root.id],
      completing: completing!,
      implied,
      variant: `child_${status}`,
      description: `the specialist the router delegated to ends ${status}, failing the router's run`,
      clean_run: `router -> specialist (${trajectoryLabel(traj)}) -> notifier, all completed`,
    };
  },
};

export const coordinationDeadlock: ModeSpec = {
  mode: "coordination_deadlock",
  failure_class: "coordination_deadlock",
  label: "coordination deadlock",
  scope: "execution",
  deterministic: true,
  probability: 0.01,
  crosses: "planner and critic agents hand the itinerary back and forth (planner->critic->planner), a cycle in the run tree's handoff graph",
  build(ctx) {
    const traj = ctx.rng.pick(ctx.corpora.tau);
    const ask = String(traj.traj.find((m) => m.role === "user")?.content ?? "").slice(0, 600);
    const roles = ["planner", "critic", "planner", "critic"];
    const executions: LabExecution[] = [];
    let t = ctx.start;
    let completing: LabEvent | null = null;
    const ids = roles.map((_, k) => (k === 0 ? ctx.id : `${ctx.id}.hop${k}`));
    roles.forEach((role, k) => {
      const run = new Run(ids[k]!, ctx.tenant, t, role, ctx.rng);
      run.add("execution_started", { name: "itinerary-planning", release: RELEASE, environment: "production", ...(k > 0 ? { parent_execution_id: ids[k - 1] } : {}) });
      const messages = [
        { role: "system", content: role === "planner" ? "Draft an itinerary change that satisfies the traveller and the fare rules." : "Review the draft itinerary against the fare rules; send it back with objections if any rule is broken." },
        { role: "user", content: k === 0 ? ask : `Revision ${k}: the critic's objections to the previous draft are attached.` },
      ];
      const reply = role === "planner" ? `Draft ${Math.ceil((k + 1) / 2)}: move the outbound segment to the next direct flight and keep the cabin.` : `Objection ${Math.ceil(k / 2)}: the change breaks the same-cabin rule for round trips.`;
      const input = tokensOf(JSON.stringify(messages)) + 400;
      run.add("llm_call", { provider: "anthropic", model: NOTIFIER_MODEL, messages, response: reply, input_tokens: input, output_tokens: tokensOf(reply), cost_usd: costUsd(NOTIFIER_MODEL, input, tokensOf(reply)), latency_ms: ctx.rng.int(800, 2500), status: "ok", finish_reason: "stop" }, ctx.rng.int(1000, 3000));
      if (k + 1 < roles.length) {
        const h = run.add("agent_handoff", { from_agent: role, to_agent: roles[k + 1], child_execution_id: ids[k + 1], kind: "delegate" }, 300);
        if (k === 1) completing = label(h, "coordination_deadlock");
      }
      t = run.t + 500;
      executions.push(run.execution);
    });
    // Nobody finishes the work; a watchdog cancels the tree from the leaf up.
    for (let k = executions.length - 1; k >= 0; k--) {
      const ex = executions[k]!;
      t += 1000;
      ex.events.push({ id: `${ex.id}.end`, type: "execution_finished", execution_id: ex.id, timestamp: t, tenant_id: ctx.tenant, agent: roles[k], status: "cancelled", duration_ms: t - ex.events[0]!.timestamp, error: { type: "WatchdogCancelled" } });
    }
    return {
      executions,
      detect_on: [ctx.id],
      completing: completing!,
      variant: "planner_critic",
      description: "planner and critic pass the draft back and forth until a watchdog cancels the tree",
      clean_run: "planner drafts, critic approves, planner applies the change",
    };
  },
};

// ---- Episodes ---------------------------------------------------------------------------------

/** Minutes an episode occupies, and where in a slot it sits (see generator/index.ts). */
export const EPISODE_OFFSETS_MIN: Record<string, { at: number; length: number; exclusive: boolean }> = {
  refusing_progress: { at: 10, length: 25, exclusive: false },
  service_unavailable: { at: 40, length: 5, exclusive: false },
  off_topic: { at: 60, length: 90, exclusive: true },
  cost_velocity: { at: 170, length: 60, exclusive: false },
};

export const refusingProgress: ModeSpec = {
  mode: "refusing_progress",
  failure_class: "hitl_rejection_spike",
  label: "refusing progress (human rejections)",
  scope: "episode",
  deterministic: true,
  probability: 0.1,
  crosses: "within 25 minutes, reviewers reject the agent's proposed booking change in 8 runs (threshold: >= 5 runs with an intervention in the hour and >= 40 % rejections)",
  build(ctx) {
    const executions: LabExecution[] = [];
    let completing: LabEvent | null = null;
    const pool = ctx.corpora.tau.filter(hasWrite);
    for (let k = 0; k < 8; k++) {
      const traj = ctx.rng.pick(pool);
      const id = `${ctx.id}.r${k}`;
      const { run } = airlineRun({ id, tenant: ctx.tenants[k % ctx.tenants.length]!, start: ctx.start + k * 180_000, traj, rng: ctx.rng, approvalRate: 0 });
      const at = indexOfType(run, "validator_check");
      const [ev] = splice(
        run,
        at + 1,
        [{ type: "human_intervention", fields: { request_id: `${id}-approval`, response_kind: "rejected", wait_duration_ms: ctx.rng.int(30_000, 150_000), sla_seconds: 300, response_payload: { note: "Change not approved: the agent's quote ignores the fare rules." } }, after: ctx.rng.int(30_000, 150_000) }],
        "refusing_progress",
      );
      cut(run, at + 2);
      finish(run);
      if (k === 4) completing = ev!;
      executions.push(run.execution);
    }
    return {
      executions,
      detect_on: executions.map((e) => e.id),
      completing: completing!,
      variant: "reviewers_reject",
      description: "after a prompt change the agent's booking changes keep being rejected by the reviewers",
      clean_run: "the same runs with their changes approved",
    };
  },
};

export const serviceUnavailable: ModeSpec = {
  mode: "service_unavailable",
  failure_class: "provider_incident",
  label: "service unavailable (a provider incident across tenants)",
  scope: "episode",
  deterministic: true,
  probability: 0.1,
  crosses: "three tenants' runs get HTTP 503 service_unavailable from OpenAI within 3 minutes (threshold: 2 tenants in 15 minutes)",
  build(ctx) {
    const executions: LabExecution[] = [];
    let completing: LabEvent | null = null;
    for (let k = 0; k < 3; k++) {
      const traj = ctx.rng.pick(ctx.corpora.tau.filter((t) => t.traj.filter((m) => m.role === "assistant").length >= 2));
      const id = `${ctx.id}.t${k}`;
      const { run, llmIndexes } = airlineRun({ id, tenant: ctx.tenants[k]!, start: ctx.start + k * 90_000, traj, rng: ctx.rng, approvalRate: 0 });
      const original = run.execution.events[llmIndexes[0]!]!;
      const [ev] = splice(
        run,
        llmIndexes[0]!,
        [{ type: "llm_call", fields: { provider: PROVIDER_OF[AIRLINE_MODEL], model: AIRLINE_MODEL, messages: original.messages, status: "error", error: { class: "service_unavailable", type: "APIStatusError", http_status: 503, message: "The server is overloaded or not ready yet." }, latency_ms: 30_000 }, after: 30_000 }],
        "service_unavailable",
      );
      finish(run);
      if (k === 1) completing = ev!;
      executions.push(run.execution);
    }
    return {
      executions,
      detect_on: executions.map((e) => e.id),
      completing: completing!,
      variant: "openai_503",
      description: "OpenAI answers 503 to three tenants' runs; each retries and carries on",
      clean_run: "the same runs without the failed first attempt",
    };
  },
};

export const costVelocity: ModeSpec = {
  mode: "cost_velocity",
  failure_class: "cost_velocity",
  label: "cost velocity",
  scope: "episode",
  deterministic: true,
  probability: 0.1,
  crosses: "for one hour the itinerary-digest cron (6 runs an hour) sends 6x the prompt tokens (threshold: the workload's mean cost per run over the last hour >= 2x the hour before, >= 5 runs each)",
  build(ctx) {
    const executions: LabExecution[] = [];
    let completing: LabEvent | null = null;
    for (let k = 0; k < 6; k++) {
      const reservation = ctx.rng.pick(ctx.corpora.reservations);
      const ex = digestRun(`${ctx.id}.d${k}`, ctx.tenants[k % ctx.tenants.length]!, ctx.start + k * 600_000, reservation, ctx.rng, 6);
      for (const e of ex.events) if (e.type === "llm_call") label(e, "cost_velocity");
      if (k === 1) completing = ex.events.find((e) => e.type === "llm_call")!;
      executions.push(ex);
    }
    return {
      executions,
      detect_on: executions.map((e) => e.id),
      completing: completing!,
      variant: "prompt_bloat",
      description: "a template change pastes the whole booking history into every digest prompt for an hour",
      clean_run: "the same digest runs at their usual prompt size",
      source: "tau-bench airline reservation records",
    };
  },
};

export const offTopic: ModeSpec = {
  mode: "off_topic",
  failure_class: "drift",
  label: "off-topic (lexical drift)",
  scope: "episode",
  deterministic: false,
  probability: 0.1,
  crosses: "for 90 minutes every airline-support run is an off-topic role-play (awesome-chatgpt-prompts): the hour's 3-gram profile moves away from the baseline (threshold: cosine distance >= 0.11, >= 30 calls)",
  build(ctx) {
    const executions: LabExecution[] = [];
    const n = 36;
    for (let k = 0; k < n; k++) {
      const id = `${ctx.id}.o${String(k).padStart(2, "0")}`;
      const run = new Run(id, ctx.tenants[k % ctx.tenants.length]!, ctx.start + k * 150_000, "airline-agent", ctx.rng);
      run.add("execution_started", { name: "airline-support", release: RELEASE, environment: "production", policy: { max_wall_seconds: 1800 } });
      // A conversation as long as an ordinary one (6-10 turns), each turn another role prompt.
      const row = (j: number) => ctx.corpora.offTopic[(ctx.index * n * 3 + k * 11 + j) % ctx.corpora.offTopic.length]!;
      const [act] = row(0);
      const turns = Array.from({ length: ctx.rng.int(6, 10) }, (_, j) => {
        const [, ask] = row(j);
        const [, answer] = row(j + 5);
        return { ask: j === 0 ? ask : `${ask.slice(0, 600)}`, reply: `${j === 0 ? `Happy to act as ${act.toLowerCase()}. ` : ""}${answer.slice(0, 600)}` };
      });
      const history: Record<string, unknown>[] = [{ role: "system", content: "You are a helpful assistant." }];
      for (const turn of turns) {
        history.push({ role: "user", content: turn.ask.slice(0, 900) });
        // The agent still sends its tool schemas and the (now empty) policy scaffolding: off-topic
        // runs cost what an ordinary conversation of the same length costs.
        const input = tokensOf(JSON.stringify(history.slice(-7))) + 2300;
        const ev = run.add(
          "llm_call",
          { provider: PROVIDER_OF[AIRLINE_MODEL], model: AIRLINE_MODEL, messages: [...history], response: turn.reply, input_tokens: input, output_tokens: tokensOf(turn.reply), cost_usd: costUsd(AIRLINE_MODEL, input, tokensOf(turn.reply)), latency_ms: ctx.rng.int(800, 3000), status: "ok", finish_reason: "stop" },
          ctx.rng.int(8000, 30000),
        );
        label(ev, "off_topic");
        history.push({ role: "assistant", content: turn.reply });
      }
      finish(run);
      executions.push(run.execution);
    }
    const lastCall = executions.at(-1)!.events.filter((e) => e.type === "llm_call").at(-1)!;
    return {
      executions,
      detect_on: executions.map((e) => e.id),
      completing: lastCall,
      variant: "system_prompt_lost",
      description: "a deploy drops the airline system prompt; for 90 minutes the agent role-plays whatever users ask",
      clean_run: "airline-support conversations (tau-bench) in the same 90 minutes",
      source: "awesome-chatgpt-prompts (f/awesome-chatgpt-prompts, CC0-1.0)",
    };
  },
};

export const PROJECT_MODES: ModeSpec[] = [cascadingFailure, coordinationDeadlock, refusingProgress, serviceUnavailable, costVelocity, offTopic];
