// GET /v1/analytics/failures?hours=N: counts per failure class, the execution status distribution,
// the mean duration of finished runs and totals, each on both sides of the hours window (placed by
// event time), from the D1 rows the execution objects' outbox flushes write; hours validated with a
// clear 400; read keys only; one project's runs never counted for another.
import { env } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { ADMIN, at, createProject, flushExecution, getJson, ingest, llmCall, newExecutionId } from "../../test/helpers.ts";

const HOUR = 3_600_000;

interface Analytics {
  window: { hours: number; from: string; to: string };
  failure_classes: { failure_class: string; occurrences: number; executions: number; groups: number }[];
  executions: { total: number; by_status: Record<string, number>; by_raw_status: Record<string, number>; mean_duration_ms: number | null; finished: number };
  totals: {
    executions: number;
    events: number;
    findings: number;
    finding_occurrences: number;
    cost_usd: number;
    llm_calls: number;
    tool_calls: number;
    failed_calls: number;
    tokens: number;
  };
}

async function run(project: TestProject, events: readonly ReturnType<typeof at>[]): Promise<void> {
  const { status, body } = await ingest(project.ingest_key, events);
  if (status !== 200) throw new Error(`ingest answered ${status}: ${JSON.stringify(body)}`);
  // D1 rows come from the outbox flush, which the alarm runs.
  await flushExecution(project.project_id, events[0]!.execution_id);
}

async function analytics(project: TestProject, hours: number): Promise<Analytics> {
  const { status, body } = await getJson<Analytics>(`/v1/analytics/failures?hours=${hours}`, project.read_key);
  if (status !== 200) throw new Error(`analytics answered ${status}`);
  return body;
}

describe("failure analytics", () => {
  let p: TestProject;
  let other: TestProject;
  beforeAll(async () => {
    p = await createProject("analytics");
    other = await createProject("analytics other");
    const now = Date.now();

    // 2 h ago: failed after a tool failure, 60 s, two LLM calls.
    const failed = newExecutionId("failed");
    const t1 = now - 2 * HOUR;
    await run(p, [
      at(t1, failed, "execution_started", { name: "claims" }),
      at(t1 + 1000, failed, "llm_call", llmCall({ input_tokens: 100, output_tokens: 50, cost_usd: 0.02 })),
      at(t1 + 2000, failed, "tool_call", { tool: "ledger", status: "failed", error: { type: "Timeout" } }),
      at(t1 + 3000, failed, "llm_call", llmCall({ input_tokens: 200, output_tokens: 50, cost_usd: 0.03 })),
      at(t1 + 60_000, failed, "execution_finished", { status: "failed", duration_ms: 60_000 }),
    ]);

    // 1 h ago, still running, looping: stuck. The loop fires on the 4th and 5th identical calls.
    const stuck = newExecutionId("stuck");
    const t2 = now - HOUR;
    const messages = [{ role: "user", content: "poll the claim status" }];
    await run(
      p,
      Array.from({ length: 5 }, (_, i) => at(t2 + i * 1000, stuck, "llm_call", llmCall({ messages, cost_usd: 0.001 }))),
    );

    // 30 h ago: completed after the same tool failure, 20 s.
    const old = newExecutionId("old");
    const t3 = now - 30 * HOUR;
    await run(p, [
      at(t3, old, "execution_started", { name: "claims" }),
      at(t3 + 1000, old, "tool_call", { tool: "ledger", status: "failed", error: { type: "Timeout" } }),
      at(t3 + 2000, old, "tool_call", { tool: "ledger", status: "ok" }),
      at(t3 + 20_000, old, "execution_finished", { status: "completed" }),
    ]);

    // Another project's crash in the window: never counted for p.
    const foreign = newExecutionId("foreign");
    await run(other, [at(now - HOUR, foreign, "execution_finished", { status: "crashed", error: { type: "Boom" } })]);
  });

  it("counts only what happened inside the window (24 h)", async ({ expect }) => {
    const a = await analytics(p, 24);
    expect(a.window.hours).toBe(24);
    expect(Date.parse(a.window.to) - Date.parse(a.window.from)).toBe(24 * HOUR);
    expect(a.failure_classes).toEqual([
      { failure_class: "identical_call_loop", occurrences: 2, executions: 1, groups: 1 },
      { failure_class: "tool_failure", occurrences: 1, executions: 1, groups: 1 },
    ]);
    expect(a.executions).toEqual({
      total: 2,
      by_status: { running: 0, completed: 0, failed: 1, stuck: 1, cancelled: 0 },
      by_raw_status: { failed: 1, running: 1 },
      mean_duration_ms: 60_000,
      finished: 1,
    });
    expect(a.totals).toEqual({
      executions: 2,
      events: 10,
      findings: 2,
      finding_occurrences: 3,
      cost_usd: 0.055,
      llm_calls: 7,
      tool_calls: 1,
      failed_calls: 1,
      tokens: 400,
    });
  });

  it("takes in the older run when the window reaches it (48 h)", async ({ expect }) => {
    const a = await analytics(p, 48);
    expect(a.failure_classes).toEqual([
      { failure_class: "identical_call_loop", occurrences: 2, executions: 1, groups: 1 },
      { failure_class: "tool_failure", occurrences: 2, executions: 2, groups: 1 },
    ]);
    expect(a.executions.total).toBe(3);
    expect(a.executions.by_status).toEqual({ running: 0, completed: 1, failed: 1, stuck: 1, cancelled: 0 });
    // (60 s reported + 20 s from finish minus start) / 2 finished runs.
    expect(a.executions.mean_duration_ms).toBe(40_000);
    expect(a.totals).toMatchObject({ executions: 3, events: 14, findings: 3, tool_calls: 3, failed_calls: 2, cost_usd: 0.055 });
  });

  it("writes the run metrics on D1's executions row with each flush", async ({ expect }) => {
    const row = await env.DB.prepare("SELECT run_status, status, duration_ms, cost_usd, llm_calls, tool_calls, failed_calls, tokens FROM executions WHERE project_id = ? AND name = ? AND status = 'failed'")
      .bind(p.project_id, "claims")
      .first();
    expect(row).toMatchObject({ run_status: "failed", status: "failed", duration_ms: 60_000, llm_calls: 2, tool_calls: 1, failed_calls: 1, tokens: 400 });
    expect(row?.cost_usd).toBeCloseTo(0.05, 9);
  });

  it("keeps projects apart", async ({ expect }) => {
    const a = await analytics(other, 24);
    expect(a.failure_classes).toEqual([{ failure_class: "crash", occurrences: 1, executions: 1, groups: 1 }]);
    expect(a.executions.by_status.failed).toBe(1);
    expect(a.totals.executions).toBe(1);
    const empty = await createProject("analytics empty");
    const none = await analytics(empty, 720);
    expect(none.failure_classes).toEqual([]);
    expect(none.executions).toMatchObject({ total: 0, mean_duration_ms: null });
    expect(none.totals).toMatchObject({ executions: 0, events: 0, findings: 0, cost_usd: 0 });
  });

  it("validates hours with a clear 400, defaults to 24, and needs a read key", async ({ expect }) => {
    for (const bad of ["0", "721", "abc", "1.5", "-3", ""]) {
      const res = await getJson<{ error: { code: string; message: string } }>(`/v1/analytics/failures?hours=${bad}`, p.read_key);
      expect(res.status, `hours=${bad}`).toBe(400);
      expect(res.body.error).toMatchObject({ code: "bad_request", message: "hours must be a whole number of hours from 1 to 720." });
    }
    expect((await getJson<Analytics>("/v1/analytics/failures", p.read_key)).body.window.hours).toBe(24);
    expect((await getJson<Analytics>("/v1/analytics/failures?hours=720", p.read_key)).status).toBe(200);
    expect((await getJson("/v1/analytics/failures", p.ingest_key)).status).toBe(403);
    expect((await getJson("/v1/analytics/failures", "vk_not_a_real_key_at_all")).status).toBe(401);
    const admin = await getJson<Analytics>(`/v1/analytics/failures?project_id=${p.project_id}`, ADMIN);
    expect(admin.body.totals.executions).toBe(2);
  });
});
