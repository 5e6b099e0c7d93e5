// Daily and weekly digests per project: new groups, regressions, the top groups by occurrences and
// by cost, loop latency and ingest health over the period. Built by the cron, stored in D1 for the
// dashboard, and sent to the project's digest webhooks.
import { isoTime } from "../core/time.ts";
import type { IngestHealth } from "../../durable-objects/project/project-object.ts";
import { loopLatency } from "./fix-loops.ts";
import { slackBody } from "./webhook-payload.ts";

export type DigestKind = "daily" | "weekly";
const DAY_MS = 86_400_000;

/** The period a digest run at `now` covers: the last whole UTC day, or the last whole week from Monday. */
export function digestPeriod(kind: DigestKind, now: number): { start: number; end: number } {
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  if (kind === "daily") return { start: dayStart - DAY_MS, end: dayStart };
  const weekday = (new Date(dayStart).getUTCDay() + 6) % 7; // Monday = 0
  const end = dayStart - weekday * DAY_MS;
  return { start: end - 7 * DAY_MS, end };
}

interface GroupLine {
  id: string;
  failure_class: string;
  signature: string;
  severity: string;
  occurrences: number;
}

export async function buildDigest(db: D1Database, projectId: string, kind: DigestKind, period: { start: number; end: number }, health: IngestHealth) {
  const [created, regressed, busiest, costliest] = await db.batch([
    db
      .prepare("SELECT id, failure_class, signature, severity, occurrences FROM failure_groups WHERE project_id = ? AND first_seen >= ? AND first_seen < ? ORDER BY occurrences DESC LIMIT 10")
      .bind(projectId, period.start, period.end),
    db
      .prepare("SELECT id, failure_class, signature, severity, occurrences FROM failure_groups WHERE project_id = ? AND regressed_at >= ? AND regressed_at < ? ORDER BY regressed_at DESC LIMIT 10")
      .bind(projectId, period.start, period.end),
    db
      .prepare(
        `SELECT g.id, g.failure_class, g.signature, g.severity, sum(ge.occurrences) AS occurrences
         FROM group_executions ge JOIN failure_groups g ON g.id = ge.group_id
         WHERE ge.project_id = ? AND ge.last_seen >= ? AND ge.last_seen < ?
         GROUP BY g.id ORDER BY occurrences DESC LIMIT 5`,
      )
      .bind(projectId, period.start, period.end),
    // Cost of a group: what the executions it touched in the period cost in all.
    db
      .prepare(
        `SELECT g.id, g.failure_class, g.signature, g.severity, sum(ge.occurrences) AS occurrences, round(sum(coalesce(e.cost_usd, 0)), 6) AS cost_usd
         FROM group_executions ge
         JOIN failure_groups g ON g.id = ge.group_id
         JOIN executions e ON e.project_id = ge.project_id AND e.execution_id = ge.execution_id
         WHERE ge.project_id = ? AND ge.last_seen >= ? AND ge.last_seen < ?
         GROUP BY g.id HAVING cost_usd > 0 ORDER BY cost_usd DESC LIMIT 5`,
      )
      .bind(projectId, period.start, period.end),
  ]);
  const newCount = await db
    .prepare("SELECT count(*) AS n FROM failure_groups WHERE project_id = ? AND first_seen >= ? AND first_seen < ?")
    .bind(projectId, period.start, period.end)
    .first<{ n: number }>();
  const [week, month] = await Promise.all([loopLatency(db, projectId, 7, period.end), loopLatency(db, projectId, 30, period.end)]);
  return {
    project_id: projectId,
    kind,
    period: { start: isoTime(period.start), end: isoTime(period.end) },
    new_groups: { count: newCount?.n ?? 0, top: (created?.results ?? []) as GroupLine[] },
    regressions: (regressed?.results ?? []) as GroupLine[],
    top_by_occurrences: (busiest?.results ?? []) as GroupLine[],
    top_by_cost: (costliest?.results ?? []) as (GroupLine & { cost_usd: number })[],
    loop_latency: { "7d": week.overall, "30d": month.overall },
    ingest_health: { accepted: health.accepted, rejected: health.rejected, duplicates: health.duplicates, ignored: health.ignored, rejected_by_code: health.rejected_by_code },
  };
}

export type Digest = Awaited<ReturnType<typeof buildDigest>>;

export function digestSlack(d: Digest) {
  const hours = (s: number | null) => (s === null ? "-" : `${(s / 3600).toFixed(1)} h`);
  return slackBody(`Vigil ${d.kind} digest: ${d.new_groups.count} new groups, ${d.regressions.length} regressions`, [
    ["Top failure", d.top_by_occurrences[0] ? `${d.top_by_occurrences[0].failure_class}: ${d.top_by_occurrences[0].signature}` : "none"],
    ["Fix loop p50 (7d)", hours(d.loop_latency["7d"].p50_seconds)],
    ["Events accepted", String(d.ingest_health.accepted)],
    ["Rejected / duplicates", `${d.ingest_health.rejected} / ${d.ingest_health.duplicates}`],
  ]);
}
