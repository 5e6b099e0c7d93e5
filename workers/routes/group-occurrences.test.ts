// GET /v1/groups/{id}/occurrences: the group's occurrences and executions per UTC day, zero-filled
// over the window; 404 for another project's group; days validated.
import { describe, it } from "vitest";
import { at, createProject, flushExecution, getJson, ingest, listGroups } from "../../test/helpers.ts";

const DAY = 86_400_000;

describe("GET /v1/groups/{id}/occurrences", () => {
  it("counts a group's occurrences per day inside the window", async ({ expect }) => {
    const p = await createProject("occurrences");
    const now = Date.now();
    const runs: [string, number, number][] = [
      ["a", now - 60_000, 2],
      ["b", now - 3 * DAY, 1],
      ["c", now - 50 * DAY, 1],
    ];
    for (const [id, ts, failures] of runs) {
      const events = [at(ts, id, "execution_started")];
      for (let i = 0; i < failures; i++) events.push(at(ts + 1 + i, id, "tool_call", { tool: "search", status: "failed", error: { type: "Boom" } }));
      await ingest(p.ingest_key, events);
      await flushExecution(p.project_id, id);
    }
    const group = (await listGroups(p))[0]!;
    const { status, body } = await getJson<{ days: number; daily: { day: string; occurrences: number; executions: number }[] }>(`/v1/groups/${group.id}/occurrences?days=7`, p.read_key);
    expect(status).toBe(200);
    expect(body.daily).toHaveLength(7);
    const byDay = Object.fromEntries(body.daily.map((d) => [d.day, d]));
    expect(byDay[new Date(now - 3 * DAY).toISOString().slice(0, 10)]).toMatchObject({ occurrences: 1, executions: 1 });
    expect(body.daily.reduce((s, d) => s + d.executions, 0)).toBe(2);
    expect(body.daily.reduce((s, d) => s + d.occurrences, 0)).toBeGreaterThanOrEqual(2);

    const other = await createProject("occurrences other");
    expect((await getJson(`/v1/groups/${group.id}/occurrences`, other.read_key)).status).toBe(404);
    expect((await getJson(`/v1/groups/${group.id}/occurrences?days=91`, p.read_key)).status).toBe(400);
  });
});
