// GET /v1/overview: groups that still need a person by class and severity (resolved and archived
// ones left out, most severe class first), the most severe as "next up", counts per status, and a zero-filled per-day trend of
// occurrences, executions and new groups inside the window only; read keys; project isolation.
import { describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { ADMIN, at, createProject, flushExecution, getJson, ingest, listGroups, patchGroup } from "../../test/helpers.ts";

const DAY = 86_400_000;

interface Overview {
  window: { days: number; from: string; to: string };
  open_groups: { total: number; by_severity: Record<string, number>; by_class: { failure_class: string; total: number; critical: number; high: number; medium: number; low: number }[] };
  next_up: { signature: string; severity: string }[];
  groups_by_status: Record<string, number>;
  daily: { day: string; occurrences: number; executions: number; new_groups: number }[];
}

async function failRun(p: TestProject, executionId: string, ts: number, tool: string) {
  await ingest(p.ingest_key, [
    at(ts, executionId, "execution_started"),
    at(ts + 1, executionId, "tool_call", { tool, status: "failed", error: { type: "Boom" } }),
    at(ts + 2, executionId, "execution_finished", { status: "crashed", error: { type: "KeyError" } }),
  ]);
  await flushExecution(p.project_id, executionId);
}

describe("GET /v1/overview", () => {
  it("counts groups needing attention and a per-day trend over the window", async ({ expect }) => {
    const p = await createProject("overview");
    const now = Date.now();
    await failRun(p, "today", now - 60_000, "search");
    await failRun(p, "two-days-ago", now - 2 * DAY, "search");
    await failRun(p, "long-ago", now - 40 * DAY, "pay");
    const pay = (await listGroups(p, "?failure_class=tool_failure")).find((g) => g.signature === "pay:Boom")!;
    expect((await patchGroup(p, pay.id, { status: "resolved" })).status).toBe(200);

    const { status, body } = await getJson<Overview>("/v1/overview?days=7", p.read_key);
    expect(status).toBe(200);
    // crash KeyError (high) and tool_failure search:Boom (medium) are open; pay:Boom is resolved.
    expect(body.open_groups.total).toBe(2);
    expect(body.open_groups.by_severity).toEqual({ low: 0, medium: 1, high: 1, critical: 0 });
    expect(body.open_groups.by_class.map((c) => [c.failure_class, c.total])).toEqual([
      ["crash", 1],
      ["tool_failure", 1],
    ]);
    expect(body.next_up.map((g) => [g.severity, g.signature])).toEqual([
      ["high", "KeyError"],
      ["medium", "search:Boom"],
    ]);
    expect(body.groups_by_status).toEqual({ open: 2, resolved: 1 });
    expect(body.daily).toHaveLength(7);
    expect(body.daily.at(-1)!.day).toBe(new Date(now).toISOString().slice(0, 10));
    const byDay = Object.fromEntries(body.daily.map((d) => [d.day, d]));
    expect(byDay[new Date(now).toISOString().slice(0, 10)]).toMatchObject({ occurrences: 2, executions: 1 });
    expect(byDay[new Date(now - 2 * DAY).toISOString().slice(0, 10)]).toMatchObject({ occurrences: 2, executions: 1 });
    // The 40-day-old run is outside the window, and so are the two groups it was first seen in;
    // search:Boom is new two days ago.
    expect(body.daily.reduce((s, d) => s + d.occurrences, 0)).toBe(4);
    expect(byDay[new Date(now - 2 * DAY).toISOString().slice(0, 10)]!.new_groups).toBe(1);
    expect(body.daily.reduce((s, d) => s + d.new_groups, 0)).toBe(1);
    const month = await getJson<Overview>("/v1/overview?days=60", p.read_key);
    expect(month.body.daily.reduce((s, d) => s + d.new_groups, 0)).toBe(3);
  });

  it("validates days, needs a read key, and never counts another project", async ({ expect }) => {
    const p = await createProject("overview auth");
    const other = await createProject("overview other");
    await failRun(other, "theirs", Date.now(), "secret_tool");
    expect((await getJson("/v1/overview?days=0", p.read_key)).status).toBe(400);
    expect((await getJson("/v1/overview?days=abc", p.read_key)).status).toBe(400);
    expect((await getJson("/v1/overview", p.ingest_key)).status).toBe(403);
    const mine = await getJson<Overview>("/v1/overview", p.read_key);
    expect(mine.body.open_groups.total).toBe(0);
    expect(mine.body.daily.every((d) => d.occurrences === 0)).toBe(true);
    const admin = await getJson<Overview>(`/v1/overview?project_id=${other.project_id}`, ADMIN);
    expect(admin.body.open_groups.total).toBe(2);
  });
});
