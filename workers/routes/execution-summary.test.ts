// GET /v1/executions/{id}/summary (and the same summary inside GET /v1/executions/{id}): exact
// metrics from a mixed run, one problem per finding with its playbook's first fix, failed calls
// first among the key decisions, a stuck status for a looping running run, a narrative with the
// key facts, metrics kept incrementally across eviction, bounded lists, auth and project isolation.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { ADMIN, createProject, eventFactory, getJson, ingest, llmCall, newExecutionId } from "../../test/helpers.ts";
import type { ExecutionObject } from "../../durable-objects/execution/execution-object.ts";
import type { RunSummary } from "../read/execution-summary.ts";

const stubFor = (projectId: string, executionId: string) => env.EXECUTION.get(env.EXECUTION.idFromName(`${projectId}:${executionId}`));

async function summaryOf(project: TestProject, executionId: string): Promise<RunSummary> {
  const { status, body } = await getJson<{ execution_id: string; summary: RunSummary }>(`/v1/executions/${executionId}/summary`, project.read_key);
  if (status !== 200) throw new Error(`summary answered ${status}`);
  return body.summary;
}

async function send(project: TestProject, events: readonly unknown[]): Promise<void> {
  const { status, body } = await ingest(project.ingest_key, events);
  if (status !== 200) throw new Error(`ingest answered ${status}: ${JSON.stringify(body)}`);
}

/** A crashed two-agent run: LLM and tool calls, one of each failing, a handoff, a validator, a human. */
function mixedRun(executionId: string) {
  const ev = eventFactory(executionId);
  return [
    ev("execution_started", { name: "claims-intake", agent: "router" }),
    ev("llm_call", llmCall({ agent: "router", input_tokens: 1000, output_tokens: 200, latency_ms: 800 })), // 0.0045 at gpt-4o list price
    ev("tool_call", { agent: "router", tool: "search_flights", status: "failed", error: { type: "TimeoutError", message: "upstream took too long" }, latency_ms: 30000 }),
    ev("llm_call", llmCall({ agent: "router", input_tokens: 500, output_tokens: 100, cost_usd: 0.0265, latency_ms: 1200 })),
    ev("agent_handoff", { from_agent: "router", to_agent: "refund-agent", kind: "delegate" }),
    ev("tool_call", { agent: "refund-agent", tool: "refund", status: "ok", latency_ms: 200 }),
    ev("llm_call", llmCall({ agent: "refund-agent", status: "error", error: { class: "rate_limited" }, latency_ms: 100 })), // no tokens: unpriced
    ev("validator_check", { validator: "json_schema", status: "failed", category: "format", reason: "missing field" }),
    ev("human_intervention", { agent: "refund-agent", request_id: "req-1", response_kind: "approved" }),
    ev("execution_finished", { status: "crashed", duration_ms: 48000, error: { type: "MemoryError", message: "out of memory" } }),
  ];
}

describe("run summary", () => {
  let a: TestProject;
  let b: TestProject;
  beforeAll(async () => {
    a = await createProject("summary A");
    b = await createProject("summary B");
  });

  it("gives exact metrics, problems with their playbook fixes, failed calls first, and a narrative", async ({ expect }) => {
    const id = newExecutionId("mixed");
    const events = mixedRun(id);
    await send(a, events);
    const s = await summaryOf(a, id);

    expect(s).toMatchObject({ status: "failed", raw_status: "crashed", halted: false, name: "claims-intake", duration_ms: 48000, events: 10, steps: 5 });
    expect(s.metrics).toEqual({
      steps: 5,
      llm_calls: { total: 3, succeeded: 2, failed: 1 },
      tool_calls: { total: 2, succeeded: 1, failed: 1 },
      failed_calls: 2,
      success_rate: 0.6,
      tokens: { input: 1500, output: 300, total: 1800 },
      latency_ms: {
        llm: { total: 2100, mean: 700, max: 1200, samples: 3 },
        tool: { total: 30200, mean: 15100, max: 30000, samples: 2 },
      },
      cost_usd: 0.031,
      unpriced_llm_calls: 1,
      validators: { checks: 1, failed: 1 },
      human_interventions: 1,
      agents: ["router", "refund-agent"],
      agents_truncated: false,
      handoffs: 1,
      handoff_edges: [{ from: "router", to: "refund-agent", count: 1 }],
      handoff_edges_truncated: false,
    });

    // One problem per finding, most severe first, each with its playbook's first advice as plain text.
    expect(s.findings).toBe(4);
    expect(s.problems.map((p) => [p.failure_class, p.signature, p.severity])).toEqual([
      ["crash", "MemoryError", "high"],
      ["tool_failure", "search_flights:TimeoutError", "medium"],
      ["validator_failure", "json_schema:format", "medium"],
      ["infrastructure_throttled", "openai:rate_limited", "low"],
    ]);
    const toolProblem = s.problems[1]!;
    expect(toolProblem.category).toBe("code");
    expect(toolProblem.suggested_fix?.playbook_id).toBe("tool_failure/timeout");
    // Plain text: no Markdown marks, identifiers intact, no code sample.
    expect(toolProblem.suggested_fix?.text).toMatch(/^Compare the failing latency_ms with the successful calls' distribution\./);
    expect(toolProblem.suggested_fix?.text).not.toMatch(/[`*]|```/);
    expect(s.problems[3]!.suggested_fix?.playbook_id).toBe("infrastructure_throttled/rate-limited");
    for (const p of s.problems) expect(p.suggested_fix?.text?.length ?? 0).toBeGreaterThan(20);

    // Failures first (in event order), then the handoff and the human decision.
    const byId = (n: number) => events[n - 1]!.id;
    expect(s.key_decisions.map((d) => [d.event_id, d.failed])).toEqual([
      [byId(3), true],
      [byId(7), true],
      [byId(8), true],
      [byId(10), true],
      [byId(5), false],
      [byId(9), false],
    ]);
    expect(s.key_decisions.map((d) => d.label)).toEqual([
      "router: tool search_flights failed (TimeoutError)",
      "refund-agent: gpt-4o call failed (rate_limited)",
      "validator json_schema failed (format)",
      "run ended crashed (MemoryError)",
      "handoff router → refund-agent (delegate)",
      "human approved for refund-agent",
    ]);
    expect(s.key_decisions[0]!.timestamp).toBe(new Date(events[2]!.timestamp as number).toISOString());
    // Labels never carry messages or payloads.
    expect(JSON.stringify(s.key_decisions)).not.toMatch(/upstream took too long|out of memory|missing field/);

    expect(s.narrative).toMatch(/^The claims-intake run by agents router, refund-agent crashed after 5 steps \(3 LLM calls, 2 tool calls, 2 failed\) in 48 s, costing \$0\.031\./);
    expect(s.narrative).toContain("It crashed with MemoryError (crash), the most severe of 4 problems.");
    expect(s.narrative).toMatch(/Try first: \S/);
    expect(s.narrative.split(/(?<=[.!?])\s+(?=[A-Z])/).length).toBeLessThanOrEqual(4);

    // GET /v1/executions/{id} carries the very same summary.
    const full = await getJson<{ summary: RunSummary; metrics?: unknown }>(`/v1/executions/${id}`, a.read_key);
    expect(full.body.summary).toEqual(s);
    expect(full.body.metrics).toBeUndefined();
  });

  it("calls a running run that looped stuck, and says so in words", async ({ expect }) => {
    const id = newExecutionId("loop");
    const ev = eventFactory(id);
    const messages = [{ role: "user", content: "is the claim approved yet?" }];
    await send(a, [
      ev("execution_started", { name: "claims-poller", agent: "planner" }),
      ...Array.from({ length: 4 }, () => ev("llm_call", llmCall({ agent: "planner", messages, input_tokens: 100, output_tokens: 10 }))),
    ]);
    const s = await summaryOf(a, id);
    expect(s).toMatchObject({ status: "stuck", raw_status: "running", steps: 4 });
    expect(s.problems[0]).toMatchObject({ failure_class: "identical_call_loop", signature: "planner/gpt-4o", severity: "high" });
    expect(s.problems[0]!.suggested_fix?.playbook_id).toBe("identical_call_loop/default");
    expect(s.narrative).toContain("The claims-poller run by agent planner looks stuck (still running, in a loop) after 4 steps (4 LLM calls, 0 tool calls) in 4 s, costing $0.0014.");
    expect(s.narrative).toContain("It looped: the same call to gpt-4o was repeated 4 times (identical_call_loop).");
    expect(s.narrative).toContain("Try first: Open one execution and diff two consecutive repeated llm_calls: they should be byte-identical.");

    // A running run without a loop finding is simply running.
    const calm = newExecutionId("calm");
    await send(a, [eventFactory(calm)("llm_call", llmCall())]);
    const c = await summaryOf(a, calm);
    expect(c).toMatchObject({ status: "running", raw_status: "running", problems: [] });
    expect(c.narrative).toContain("Vigil found no failure in it.");
  });

  it("maps finish statuses: completed, cancelled, and failures with the raw status kept", async ({ expect }) => {
    for (const [raw, status] of [
      ["completed", "completed"],
      ["cancelled", "cancelled"],
      ["timeout", "failed"],
      ["validation_failed", "failed"],
      ["halted", "failed"],
    ] as const) {
      const id = newExecutionId(raw);
      await send(a, [eventFactory(id)("execution_finished", { status: raw })]);
      expect(await summaryOf(a, id)).toMatchObject({ status, raw_status: raw });
    }
  });

  it("keeps metrics across eviction, counts duplicates once, and never rescans events", async ({ expect }) => {
    const id = newExecutionId("evicted");
    const ev = eventFactory(id);
    const first = [ev("llm_call", llmCall({ input_tokens: 10, output_tokens: 5, cost_usd: 0.001 })), ev("tool_call", { tool: "t", status: "failed" })];
    await send(a, first);
    await evictDurableObject(stubFor(a.project_id, id));
    await send(a, [...first, ev("llm_call", llmCall({ input_tokens: 20, output_tokens: 5, cost_usd: 0.002 }))]); // the first two are duplicates
    await evictDurableObject(stubFor(a.project_id, id));
    const s = await summaryOf(a, id);
    expect(s.metrics).toMatchObject({
      llm_calls: { total: 2, succeeded: 2, failed: 0 },
      tool_calls: { total: 1, succeeded: 0, failed: 1 },
      tokens: { input: 30, output: 10, total: 40 },
      cost_usd: 0.003,
    });
    expect(s.key_decisions.map((d) => d.event_id)).toEqual([first[1]!.id]);
    // The record is one stored row, written with the events.
    const stored = await runInDurableObject(stubFor(a.project_id, id), (_obj: ExecutionObject, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM run_metrics").one().n,
    );
    expect(stored).toBe(1);
  });

  it("builds the record once for an execution stored before run metrics existed", async ({ expect }) => {
    const id = newExecutionId("legacy");
    const ev = eventFactory(id);
    await send(a, [ev("llm_call", llmCall({ cost_usd: 0.5 })), ev("tool_call", { tool: "t", status: "failed" })]);
    // As if the object predated the run_metrics table: events stored, no record.
    await runInDurableObject(stubFor(a.project_id, id), (_obj: ExecutionObject, state) => {
      state.storage.sql.exec("DELETE FROM run_metrics");
    });
    await evictDurableObject(stubFor(a.project_id, id));
    const s = await summaryOf(a, id);
    expect(s.metrics).toMatchObject({ llm_calls: { total: 1 }, tool_calls: { total: 1, failed: 1 }, cost_usd: 0.5 });
    await send(a, [ev("llm_call", llmCall({ cost_usd: 0.25 }))]);
    expect((await summaryOf(a, id)).metrics).toMatchObject({ llm_calls: { total: 2 }, cost_usd: 0.75 });
  });

  it("keeps its lists bounded however long the run", async ({ expect }) => {
    const id = newExecutionId("long");
    const ev = eventFactory(id);
    const events = Array.from({ length: 60 }, (_, i) => ev("tool_call", { agent: `agent-${i}`, tool: "lookup", status: "failed", error: { type: "Boom" } }));
    const handoffs = Array.from({ length: 105 }, (_, i) => ev("agent_handoff", { from_agent: "hub", to_agent: `spoke-${i}` }));
    await send(a, [...events, ...handoffs]);
    const s = await summaryOf(a, id);
    expect(s.metrics.agents).toHaveLength(50);
    expect(s.metrics.agents_truncated).toBe(true);
    expect(s.metrics.handoffs).toBe(105);
    expect(s.metrics.handoff_edges).toHaveLength(100);
    expect(s.metrics.handoff_edges_truncated).toBe(true);
    expect(s.key_decisions).toHaveLength(20);
    // The most recent failures, in time order.
    expect(s.key_decisions.map((d) => d.event_id)).toEqual(events.slice(40).map((e) => e.id));
    expect(s.metrics.tool_calls).toEqual({ total: 60, succeeded: 0, failed: 60 });
  });

  it("answers 401/403/404 and never another project's run", async ({ expect }) => {
    const id = newExecutionId("private");
    await send(a, mixedRun(id));
    expect((await getJson(`/v1/executions/${id}/summary`, b.read_key)).status).toBe(404);
    expect((await getJson(`/v1/executions/never-seen/summary`, a.read_key)).status).toBe(404);
    expect((await getJson(`/v1/executions/${id}/summary`, a.ingest_key)).status).toBe(403);
    expect((await getJson(`/v1/executions/${id}/summary`, "vk_not_a_real_key_at_all")).status).toBe(401);
    const admin = await getJson<{ summary: RunSummary }>(`/v1/executions/${id}/summary?project_id=${a.project_id}`, ADMIN);
    expect(admin.status).toBe(200);
    expect(admin.body.summary.status).toBe("failed");
    expect((await getJson(`/v1/executions/${id}/summary?project_id=${b.project_id}`, ADMIN)).status).toBe(404);
  });
});
