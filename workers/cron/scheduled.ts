// The Cron Trigger (hourly, wrangler.toml): daily and weekly digests for every project. Each run
// has a work budget and resumes where the last one stopped, so a large install spreads its digests
// over a few runs instead of overrunning one.
import { projectStub } from "../ingest/dispatch.ts";
import type { DigestKind } from "../triage/digest.ts";
import { buildDigest, digestPeriod, digestSlack } from "../triage/digest.ts";

/**
 * Projects per run. A scheduled invocation may make 1,000 subrequests (D1 queries and Durable Object
 * calls count); one project's digests cost at most 2 x (5 D1 queries + 2 loop-latency queries +
 * 1 existence check + 1 insert + 2 object calls) = 22, so 40 projects stay under 900. At one run an
 * hour that is 960 projects a day.
 */
export const DIGEST_PROJECTS_PER_RUN = 40;
const KINDS: readonly DigestKind[] = ["daily", "weekly"];

export interface DigestRunReport {
  projects: number;
  created: number;
  wrapped: boolean;
}

export async function runDigests(env: Env, now: number, budget = DIGEST_PROJECTS_PER_RUN): Promise<DigestRunReport> {
  const cursor = (await env.DB.prepare("SELECT value FROM cron_state WHERE key = 'digest_cursor'").first<{ value: string }>())?.value ?? "";
  const { results: projects } = await env.DB.prepare("SELECT id FROM projects WHERE id > ? ORDER BY id LIMIT ?").bind(cursor, budget).all<{ id: string }>();
  let created = 0;
  for (const { id } of projects) {
    for (const kind of KINDS) {
      const period = digestPeriod(kind, now);
      const exists = await env.DB.prepare("SELECT 1 AS x FROM digests WHERE project_id = ? AND kind = ? AND period_start = ?").bind(id, kind, period.start).first();
      if (exists) continue;
      const project = projectStub(env, id);
      const health = await project.ingestHealth(kind === "daily" ? 24 : 168, period.end);
      const digest = await buildDigest(env.DB, id, kind, period, health);
      const inserted = await env.DB.prepare("INSERT INTO digests (project_id, kind, period_start, period_end, created_at, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(id, kind, period.start, period.end, now, JSON.stringify(digest))
        .run();
      if (inserted.meta.changes === 0) continue;
      created++;
      await project.sendDigest(id, `digest:${kind}:${period.start}`, { type: "digest", ...digest }, digestSlack(digest));
    }
  }
  const wrapped = projects.length < budget;
  const next = wrapped ? "" : projects[projects.length - 1]!.id;
  await env.DB.prepare("INSERT INTO cron_state (key, value) VALUES ('digest_cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").bind(next).run();
  return { projects: projects.length, created, wrapped };
}

export async function runScheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const report = await runDigests(env, controller.scheduledTime);
  console.log(JSON.stringify({ message: "digest run", cron: controller.cron, ...report }));
}
