// GET /v1/analytics/failures?hours=N (1..720, default 24): over the last N hours, failure counts per
// class, the execution status distribution, the mean duration of finished runs, and totals. D1 is
// the source: every outbox flush writes the execution's row with its run metrics, and
// group_executions holds each group's occurrences per execution. Times are event times, like
// everything else Vigil reports. Each query is one index range scan on (project_id, time).
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { isoTime } from "../core/time.ts";

const HOUR_MS = 3_600_000;
const RUN_STATUSES = ["running", "completed", "failed", "stuck", "cancelled"] as const;

const query = z.object({
  hours: z
    .string()
    .regex(/^\d{1,4}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(720))
    .optional(),
});

interface ClassRow {
  failure_class: string;
  occurrences: number;
  executions: number;
  group_count: number;
}

interface StatusRow {
  run_status: string | null;
  status: string;
  executions: number;
}

interface TotalsRow {
  executions: number;
  events: number | null;
  cost_usd: number | null;
  llm_calls: number | null;
  tool_calls: number | null;
  failed_calls: number | null;
  tokens: number | null;
  finished: number;
  mean_duration_ms: number | null;
}

interface FindingsRow {
  findings: number;
  occurrences: number | null;
}

export function registerAnalyticsFailuresGet(app: App): void {
  app.get("/v1/analytics/failures", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const parsed = query.safeParse(c.req.query());
    if (!parsed.success) throw new ApiError("bad_request", "hours must be a whole number of hours from 1 to 720.");
    const hours = parsed.data.hours ?? 24;
    const now = Date.now();
    const since = now - hours * HOUR_MS;
    const db = c.env.DB;
    const project = caller.projectId;

    const [classes, statuses, totals, findings] = await db.batch<ClassRow | StatusRow | TotalsRow | FindingsRow>([
      // Memberships active in the window, by class: a (group, execution) pair counts once with its occurrences.
      db
        .prepare(
          `SELECT g.failure_class AS failure_class, SUM(ge.occurrences) AS occurrences,
                  COUNT(*) AS executions, COUNT(DISTINCT ge.group_id) AS group_count
           FROM group_executions ge JOIN failure_groups g ON g.id = ge.group_id
           WHERE ge.project_id = ? AND ge.last_seen >= ? AND g.project_id = ?
           GROUP BY g.failure_class
           ORDER BY occurrences DESC, failure_class`,
        )
        .bind(project, since, project),
      db
        .prepare(
          `SELECT run_status, status, COUNT(*) AS executions FROM executions
           WHERE project_id = ? AND last_event_at >= ? GROUP BY run_status, status`,
        )
        .bind(project, since),
      // Mean duration over finished runs only: a running run's elapsed time would drag it down.
      db
        .prepare(
          `SELECT COUNT(*) AS executions, SUM(events) AS events, SUM(cost_usd) AS cost_usd, SUM(llm_calls) AS llm_calls,
                  SUM(tool_calls) AS tool_calls, SUM(failed_calls) AS failed_calls, SUM(tokens) AS tokens,
                  COUNT(CASE WHEN finished_at IS NOT NULL AND duration_ms IS NOT NULL THEN 1 END) AS finished,
                  AVG(CASE WHEN finished_at IS NOT NULL THEN duration_ms END) AS mean_duration_ms
           FROM executions WHERE project_id = ? AND last_event_at >= ?`,
        )
        .bind(project, since),
      db
        .prepare("SELECT COUNT(*) AS findings, SUM(occurrences) AS occurrences FROM group_executions WHERE project_id = ? AND last_seen >= ?")
        .bind(project, since),
    ]);

    const byStatus: Record<string, number> = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0]));
    const byRawStatus: Record<string, number> = {};
    for (const row of (statuses?.results ?? []) as StatusRow[]) {
      // Rows flushed before run_status existed were backfilled by 0003; the fallback is belt and braces.
      const status = row.run_status ?? (row.status === "running" || row.status === "completed" || row.status === "cancelled" ? row.status : "failed");
      byStatus[status] = (byStatus[status] ?? 0) + row.executions;
      byRawStatus[row.status] = (byRawStatus[row.status] ?? 0) + row.executions;
    }
    const t = ((totals?.results ?? [])[0] ?? {}) as Partial<TotalsRow>;
    const f = ((findings?.results ?? [])[0] ?? {}) as Partial<FindingsRow>;
    const classRows = (classes?.results ?? []) as ClassRow[];

    return c.json({
      window: { hours, from: isoTime(since), to: isoTime(now) },
      failure_classes: classRows.map((r) => ({ failure_class: r.failure_class, occurrences: r.occurrences, executions: r.executions, groups: r.group_count })),
      executions: {
        total: t.executions ?? 0,
        by_status: byStatus,
        by_raw_status: byRawStatus,
        mean_duration_ms: t.mean_duration_ms === null || t.mean_duration_ms === undefined ? null : Math.round(t.mean_duration_ms),
        finished: t.finished ?? 0,
      },
      totals: {
        executions: t.executions ?? 0,
        events: t.events ?? 0,
        findings: f.findings ?? 0,
        finding_occurrences: f.occurrences ?? 0,
        cost_usd: Math.round((t.cost_usd ?? 0) * 1e6) / 1e6,
        llm_calls: t.llm_calls ?? 0,
        tool_calls: t.tool_calls ?? 0,
        failed_calls: t.failed_calls ?? 0,
        tokens: t.tokens ?? 0,
      },
    });
  });
}
