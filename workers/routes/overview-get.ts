// GET /v1/overview?days=14 (1..90): what the dashboard's first page needs in one call: the groups
// that still need a person (open, acknowledged, fix in progress, regressed) by class and severity,
// the few to look at first, how many groups are in each status, and per UTC day over the window the
// finding occurrences, affected executions and new groups. Every query reads one index range of the
// project; only "next up" orders the groups needing attention by severity (a top-3, no full sort).
import { z } from "zod";
import type { App } from "../app-env.ts";
import type { GroupRow } from "../read/group-view.ts";
import { groupView } from "../read/group-view.ts";
import { requireProject } from "../auth/middleware.ts";
import type { Severity } from "../core/failure-classes.ts";
import { isoTime } from "../core/time.ts";
import { ApiError } from "../errors.ts";

const DAY_MS = 86_400_000;
/** Statuses that still ask something of a person; resolved and archived groups do not. */
export const NEEDS_ATTENTION = ["open", "acknowledged", "fix_in_progress", "regressed"] as const;

/** Groups shown as "next up": enough to make the first click obvious. */
const NEXT_UP = 3;

const query = z.object({
  days: z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(90))
    .optional(),
});

type SeverityCounts = Record<Severity, number>;
const zeroSeverities = (): SeverityCounts => ({ low: 0, medium: 0, high: 0, critical: 0 });

export function registerOverviewGet(app: App): void {
  app.get("/v1/overview", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const parsed = query.safeParse(c.req.query());
    if (!parsed.success) throw new ApiError("bad_request", "days must be a whole number of days from 1 to 90.");
    const days = parsed.data.days ?? 14;
    const now = Date.now();
    // Whole UTC days, today included, so each bar of a trend is one calendar day.
    const firstDay = Math.floor(now / DAY_MS) - (days - 1);
    const since = firstDay * DAY_MS;
    const db = c.env.DB;
    const project = caller.projectId;
    const attention = NEEDS_ATTENTION.map(() => "?").join(", ");

    const [open, statuses, occurrences, created, next] = await db.batch([
      db
        .prepare(`SELECT failure_class, severity, COUNT(*) AS n FROM failure_groups WHERE project_id = ? AND status IN (${attention}) GROUP BY failure_class, severity`)
        .bind(project, ...NEEDS_ATTENTION),
      db.prepare("SELECT status, COUNT(*) AS n FROM failure_groups WHERE project_id = ? GROUP BY status").bind(project),
      // A (group, execution) pair counts on the day it was last seen: runs last minutes, not days.
      db
        .prepare(
          `SELECT last_seen / ${DAY_MS} AS day, SUM(occurrences) AS occurrences, COUNT(DISTINCT execution_id) AS executions
           FROM group_executions WHERE project_id = ? AND last_seen >= ? GROUP BY day`,
        )
        .bind(project, since),
      // A group first seen in the window was last seen in it too: the bound on last_seen keeps this
      // a range scan of the recency index instead of a pass over every group.
      db
        .prepare(`SELECT first_seen / ${DAY_MS} AS day, COUNT(*) AS n FROM failure_groups WHERE project_id = ? AND last_seen >= ? AND first_seen >= ? GROUP BY day`)
        .bind(project, since, since),
      // Most severe first, regressions before the rest at the same severity, then the most recent.
      db
        .prepare(
          `SELECT * FROM failure_groups WHERE project_id = ? AND status IN (${attention})
           ORDER BY CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END DESC,
                    status = 'regressed' DESC, last_seen DESC, id DESC LIMIT ?`,
        )
        .bind(project, ...NEEDS_ATTENTION, NEXT_UP),
    ]);

    const byClass = new Map<string, SeverityCounts>();
    const bySeverity = zeroSeverities();
    let total = 0;
    for (const row of (open?.results ?? []) as { failure_class: string; severity: string; n: number }[]) {
      const counts = byClass.get(row.failure_class) ?? zeroSeverities();
      if (row.severity in counts) {
        counts[row.severity as keyof SeverityCounts] += row.n;
        bySeverity[row.severity as keyof SeverityCounts] += row.n;
      }
      byClass.set(row.failure_class, counts);
      total += row.n;
    }
    const rank = (s: SeverityCounts) => [s.critical, s.high, s.medium, s.low];
    const classes = [...byClass]
      .map(([failure_class, counts]) => ({ failure_class, total: counts.low + counts.medium + counts.high + counts.critical, ...counts }))
      // Most severe first, so the first row is the one to look at.
      .sort((a, b) => {
        const [ra, rb] = [rank(a), rank(b)];
        for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
        return a.failure_class.localeCompare(b.failure_class);
      });

    const daily = new Map<number, { occurrences: number; executions: number; new_groups: number }>();
    for (let d = firstDay; d < firstDay + days; d++) daily.set(d, { occurrences: 0, executions: 0, new_groups: 0 });
    for (const row of (occurrences?.results ?? []) as { day: number; occurrences: number; executions: number }[]) {
      const slot = daily.get(Math.floor(row.day));
      if (slot) Object.assign(slot, { occurrences: row.occurrences, executions: row.executions });
    }
    for (const row of (created?.results ?? []) as { day: number; n: number }[]) {
      const slot = daily.get(Math.floor(row.day));
      if (slot) slot.new_groups = row.n;
    }

    return c.json({
      window: { days, from: isoTime(since), to: isoTime(now) },
      open_groups: { total, by_severity: bySeverity, by_class: classes },
      next_up: ((next?.results ?? []) as GroupRow[]).map(groupView),
      groups_by_status: Object.fromEntries(((statuses?.results ?? []) as { status: string; n: number }[]).map((r) => [r.status, r.n])),
      daily: [...daily].map(([day, v]) => ({ day: isoTime(day * DAY_MS)!.slice(0, 10), ...v })),
    });
  });
}
