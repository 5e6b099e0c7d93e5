// PATCH /v1/groups/{id}, POST /v1/releases and loop latency: legal and illegal transitions with an
// audit trail; reclassification kept with who and when; "resolved in release X" becomes "fix
// shipped" when X ships; a later recurrence is a regression, an earlier one is not; archived groups
// come back only when they escalate; loop latency per class and category.
import { describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { at, createProject, flushExecution, getJson, listGroups, patchGroup, postJson } from "../../test/helpers.ts";
import { ingest } from "../../test/helpers.ts";

const HOUR = 3_600_000;

async function toolFailure(p: TestProject, executionId: string, ts: number, release?: string, severity?: string) {
  const events = [
    at(ts, executionId, "execution_started", { name: "booking", ...(release ? { release } : {}) }),
    at(ts + 1000, executionId, "tool_call", { tool: "book", status: "failed", error: { type: "Timeout" } }),
  ];
  if (severity) events.push(at(ts + 2000, executionId, "validator_check", { validator: "x", status: "failed", severity }));
  const { status } = await ingest(p.ingest_key, events);
  if (status !== 200) throw new Error(`ingest ${status}`);
  await flushExecution(p.project_id, executionId);
  return (await listGroups(p, "?failure_class=tool_failure")).find((g) => g.signature === "book:Timeout")!;
}

describe("group lifecycle", () => {
  it("moves through legal transitions with history, and refuses illegal ones with 409", async ({ expect }) => {
    const p = await createProject();
    const g = await toolFailure(p, "e1", Date.now() - HOUR);
    expect((await patchGroup(p, g.id, { status: "acknowledged", actor: "maya@acme.test", note: "looking" })).body.group.status).toBe("acknowledged");
    expect((await patchGroup(p, g.id, { status: "fix_in_progress" })).status).toBe(200);
    const illegal = await patchGroup(p, g.id, { status: "regressed" });
    expect(illegal.status).toBe(409);
    expect(illegal.body.error?.code).toBe("conflict");
    expect((await patchGroup(p, g.id, { status: "resolved" })).body.group.status).toBe("resolved");
    const fromResolved = await patchGroup(p, g.id, { status: "fix_in_progress" });
    expect(fromResolved.status).toBe(409);
    expect(fromResolved.body.error?.message).toContain("from resolved it can become open, archived");
    const detail = await getJson<{ history: { actor: string; from: string; to: string; detail: { note?: string } }[] }>(`/v1/groups/${g.id}`, p.read_key);
    expect(detail.body.history.map((h) => [h.from, h.to])).toEqual([
      ["fix_in_progress", "resolved"],
      ["acknowledged", "fix_in_progress"],
      ["open", "acknowledged"],
    ]);
    expect(detail.body.history[2]).toMatchObject({ actor: "maya@acme.test", detail: { note: "looking" } });
    expect(detail.body.history[1]!.actor).toMatch(/^key vk_admin_/);
  });

  it("keeps a reclassification with who and when, and shows the new route", async ({ expect }) => {
    const p = await createProject();
    const g = await toolFailure(p, "e1", Date.now() - HOUR);
    expect(g).toMatchObject({ category: "code" });
    const res = await patchGroup(p, g.id, { category: "data", actor: "lee" });
    expect(res.body.group).toMatchObject({ category: "data", category_source: "override", category_override: { category: "data", by: "lee" }, remediation_route: "The data owner" });
    const cleared = await patchGroup(p, g.id, { category: null });
    expect(cleared.body.group).toMatchObject({ category: "code", category_override: null });
  });

  it("lets only admin keys triage, and rejects malformed changes", async ({ expect }) => {
    const p = await createProject();
    const g = await toolFailure(p, "e1", Date.now() - HOUR);
    expect((await patchGroup(p, g.id, { status: "acknowledged" }, p.read_key)).status).toBe(403);
    expect((await patchGroup(p, g.id, { status: "teleported" })).status).toBe(400);
    expect((await patchGroup(p, g.id, { status: "acknowledged", release: "1.0" })).status).toBe(400);
    expect((await patchGroup(p, "g_doesnotexist", { status: "acknowledged" })).status).toBe(404);
    const other = await createProject();
    expect((await patchGroup(other, g.id, { status: "acknowledged" })).status).toBe(404);
  });
});

describe("releases, regressions and loop latency", () => {
  it("ships a fix when its release is recorded; later recurrences regress, earlier ones do not", async ({ expect }) => {
    const p = await createProject();
    const t = Date.now() - 10 * HOUR;
    const g = await toolFailure(p, "old-1", t, "1.4.0");
    expect((await patchGroup(p, g.id, { status: "resolved", release: "1.5.0" })).body.group).toMatchObject({ resolved_in_release: "1.5.0", fix_shipped_at: null });
    // Not shipped yet: recurrences are expected and change nothing.
    expect((await toolFailure(p, "old-2", t + HOUR, "1.4.0")).status).toBe("resolved");
    const shipped = await postJson("/v1/releases", p.ingest_key, { version: "1.5.0", shipped_at: new Date(t + 2 * HOUR).toISOString() });
    expect(shipped).toMatchObject({ status: 201, body: { groups_shipped: 1 } });
    expect((await postJson("/v1/releases", p.ingest_key, { version: "1.5.0" })).body).toMatchObject({ already_recorded: true, groups_shipped: 0 });
    // An execution still on the old release: not a regression.
    expect((await toolFailure(p, "old-3", t + 3 * HOUR, "1.4.0")).status).toBe("resolved");
    // The fixed release fails again: a regression.
    const regressed = await toolFailure(p, "new-1", t + 4 * HOUR, "1.5.0");
    expect(regressed.status).toBe("regressed");
    const detail = await getJson<{ group: { regressed_at: string; observed_at: string }; history: { action: string; actor: string }[] }>(`/v1/groups/${g.id}`, p.read_key);
    expect(detail.body.history[0]).toMatchObject({ action: "regressed", actor: "vigil" });
    expect(detail.body.group.observed_at).toBe(detail.body.group.regressed_at);
    const latency = await getJson<{ windows: Record<string, { overall: { loops: number; p50_seconds: number }; by_class: Record<string, unknown>; by_category: Record<string, unknown> }> }>(
      "/v1/analytics/loop-latency",
      p.read_key,
    );
    const week = latency.body.windows["7d"]!;
    expect(week.overall.loops).toBe(1);
    expect(week.overall.p50_seconds).toBe(2 * 3600 - 1);
    expect(Object.keys(week.by_class)).toEqual(["tool_failure"]);
    expect(Object.keys(week.by_category)).toEqual(["code"]);
  });

  it("treats a plain resolve as the fix shipping, so a later recurrence regresses", async ({ expect }) => {
    const p = await createProject();
    const g = await toolFailure(p, "a", Date.now() - 2 * HOUR);
    await patchGroup(p, g.id, { status: "resolved" });
    expect((await toolFailure(p, "b", Date.now() - 3 * HOUR)).status).toBe("resolved");
    expect((await toolFailure(p, "c", Date.now() + 1000)).status).toBe("regressed");
  });

  it("brings back a group archived until escalation when it escalates, never one archived for good", async ({ expect }) => {
    const p = await createProject();
    const base = Date.now() - HOUR;
    let g = await toolFailure(p, "x0", base);
    await patchGroup(p, g.id, { status: "archived", archive: "until_escalation" });
    for (let i = 1; i <= 9; i++) g = await toolFailure(p, `x${i}`, base + i * 1000);
    expect(g.status).toBe("archived");
    g = await toolFailure(p, "x10", base + 10_000);
    expect(g.status).toBe("open");
    const q = await createProject();
    let h = await toolFailure(q, "y0", base);
    await patchGroup(q, h.id, { status: "archived", archive: "forever" });
    for (let i = 1; i <= 12; i++) h = await toolFailure(q, `y${i}`, base + i * 1000);
    expect(h.status).toBe("archived");
  });
});
