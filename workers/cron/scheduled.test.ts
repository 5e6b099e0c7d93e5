// The digest cron, driven through the Worker's scheduled handler: daily and weekly digests with new
// groups, top groups, loop latency and ingest health, stored and sent to digest webhooks once;
// the per-run budget resumes where it stopped.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, it } from "vitest";
import { at, createProject, deliverNow, flushExecution, getJson, ingest, postJson } from "../../test/helpers.ts";
import { installReceiver } from "../../test/webhook-receiver.ts";
import worker from "../index.ts";
import { digestPeriod } from "../triage/digest.ts";
import { runDigests } from "./scheduled.ts";

let receiver: ReturnType<typeof installReceiver> | null = null;
afterEach(() => receiver?.restore());

const DAY = 86_400_000;

describe("digest cron", () => {
  it("covers the last whole day and the last whole week from Monday", ({ expect }) => {
    const wednesday = Date.UTC(2026, 10, 25, 14, 30);
    expect(digestPeriod("daily", wednesday)).toEqual({ start: Date.UTC(2026, 10, 24), end: Date.UTC(2026, 10, 25) });
    expect(digestPeriod("weekly", wednesday)).toEqual({ start: Date.UTC(2026, 10, 16), end: Date.UTC(2026, 10, 23) });
  });

  it("builds, stores and sends the daily and weekly digests once", async ({ expect }) => {
    receiver = installReceiver();
    const p = await createProject("digest");
    await postJson("/v1/webhooks", p.admin_key, { url: "https://hooks.test/digest", events: ["digest"] });
    const now = Date.now();
    const yesterday = Math.floor(now / DAY) * DAY - DAY / 2;
    await ingest(p.ingest_key, [
      at(yesterday, "d1", "tool_call", { tool: "search", status: "failed", error: { type: "Timeout" } }),
      at(yesterday, "d1", "tool_call", { tool: "x", status: "ok", bad_field: 1, status2: "n" }),
      at(yesterday, "d1", "llm_call", { provider: "openai", model: "gpt-4o", status: "ok", cost_usd: 0.25 }),
    ]);
    await ingest(p.ingest_key, [{ id: "broken", execution_id: "d1", type: "tool_call", status: "nope" }]);
    await flushExecution(p.project_id, "d1");
    const run = async () => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "0 * * * *" }), env, ctx);
      await waitOnExecutionContext(ctx);
    };
    await run();
    await run();
    await deliverNow(p.project_id);
    const { body } = await getJson<{
      digests: { kind: string; new_groups: { count: number }; top_by_occurrences: { signature: string }[]; top_by_cost: { signature: string; cost_usd: number }[]; ingest_health: { accepted: number; rejected: number } }[];
    }>(
      "/v1/digests",
      p.read_key,
    );
    const daily = body.digests.find((d) => d.kind === "daily")!;
    expect(daily.new_groups.count).toBe(1);
    expect(daily.top_by_occurrences.map((g) => g.signature)).toEqual(["search:Timeout"]);
    expect(daily.top_by_cost).toEqual([expect.objectContaining({ signature: "search:Timeout", cost_usd: 0.25 })]);
    expect(body.digests.map((d) => d.kind).sort()).toEqual(["daily", "weekly"]);
    expect(receiver.received.map((r) => JSON.parse(r.body).kind).sort()).toEqual(["daily", "weekly"]);
  });

  it("stops at its budget and resumes with the next projects", async ({ expect }) => {
    const now = Date.now();
    const first = await runDigests(env, now, 1);
    expect(first).toMatchObject({ projects: 1, wrapped: false });
    const rest = await runDigests(env, now, 1000);
    expect(rest.wrapped).toBe(true);
    const all = await env.DB.prepare("SELECT count(*) AS n FROM projects").first<{ n: number }>();
    const digests = await env.DB.prepare("SELECT count(DISTINCT project_id) AS n FROM digests").first<{ n: number }>();
    expect(digests!.n).toBe(all!.n);
  });
});
