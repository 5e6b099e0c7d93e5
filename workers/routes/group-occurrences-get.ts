// GET /v1/groups/{id}/occurrences?days=30 (1..90): the group's finding occurrences and affected
// executions per UTC day, for its chart. One range scan of group_executions by (group, last_seen).
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { isoTime } from "../core/time.ts";
import { ApiError } from "../errors.ts";

const DAY_MS = 86_400_000;

const query = z.object({
  days: z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(90))
    .optional(),
});

export function registerGroupOccurrencesGet(app: App): void {
  app.get("/v1/groups/:id/occurrences", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const parsed = query.safeParse(c.req.query());
    if (!parsed.success) throw new ApiError("bad_request", "days must be a whole number of days from 1 to 90.");
    const days = parsed.data.days ?? 30;
    const firstDay = Math.floor(Date.now() / DAY_MS) - (days - 1);
    const id = c.req.param("id");
    const [group, rows] = await c.env.DB.batch([
      c.env.DB.prepare("SELECT id FROM failure_groups WHERE id = ? AND project_id = ?").bind(id, caller.projectId),
      // An execution's occurrences count on the day it was last seen in the group.
      c.env.DB.prepare(
        `SELECT last_seen / ${DAY_MS} AS day, SUM(occurrences) AS occurrences, COUNT(*) AS executions
         FROM group_executions WHERE group_id = ? AND project_id = ? AND last_seen >= ? GROUP BY day`,
      ).bind(id, caller.projectId, firstDay * DAY_MS),
    ]);
    // Another project's group answers exactly like a missing one.
    if ((group?.results.length ?? 0) === 0) throw new ApiError("not_found", "No such group in this project.");
    const counts = new Map(((rows?.results ?? []) as { day: number; occurrences: number; executions: number }[]).map((r) => [Math.floor(r.day), r]));
    const daily = [];
    for (let d = firstDay; d < firstDay + days; d++) {
      const r = counts.get(d);
      daily.push({ day: isoTime(d * DAY_MS)!.slice(0, 10), occurrences: r?.occurrences ?? 0, executions: r?.executions ?? 0 });
    }
    return c.json({ group_id: id, days, daily });
  });
}
