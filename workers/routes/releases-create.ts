// POST /v1/releases {"version", "shipped_at"?, "environment"?}: records that a release shipped
// (ingest key from CI, project admin key, or the admin token). Groups resolved "in release X" get
// their fix shipped at that time, which closes their fix loop; from then on a recurrence from that
// release or a later one is a regression. Recording the same version again changes nothing.
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { readJsonBody } from "../http/json-body.ts";
import { categoryOf } from "../triage/fix-loops.ts";

const body = z.object({
  version: z.string().trim().min(1).max(256),
  shipped_at: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).optional(),
  environment: z.string().max(128).optional(),
});

export function registerReleasesCreate(app: App): void {
  app.post("/v1/releases", async (c) => {
    const caller = await requireProject(c, ["ingest", "admin"]);
    const input = await readJsonBody(c, body, "JSON: {\"version\": \"...\", \"shipped_at\"?: RFC 3339 time or epoch milliseconds, \"environment\"?: \"...\"}");
    const { version, environment } = input;
    const shippedAt = input.shipped_at === undefined ? Date.now() : typeof input.shipped_at === "number" ? input.shipped_at : Date.parse(input.shipped_at);
    const db = c.env.DB;
    const inserted = await db
      .prepare("INSERT INTO releases (project_id, version, shipped_at, environment, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING shipped_at")
      .bind(caller.projectId, version, shippedAt, environment ?? null, Date.now())
      .first<{ shipped_at: number }>();
    if (!inserted) {
      const existing = await db.prepare("SELECT shipped_at FROM releases WHERE project_id = ? AND version = ?").bind(caller.projectId, version).first<{ shipped_at: number }>();
      return c.json({ version, shipped_at: new Date(existing!.shipped_at).toISOString(), groups_shipped: 0, already_recorded: true });
    }
    const { results: waiting } = await db
      .prepare("SELECT id, failure_class, category_override, observed_at, first_seen FROM failure_groups WHERE project_id = ? AND status = 'resolved' AND resolved_in_release = ? AND fix_shipped_at IS NULL")
      .bind(caller.projectId, version)
      .all<{ id: string; failure_class: string; category_override: string | null; observed_at: number | null; first_seen: number }>();
    const statements: D1PreparedStatement[] = [];
    for (const g of waiting) {
      statements.push(
        db.prepare("UPDATE failure_groups SET fix_shipped_at = ? WHERE id = ? AND fix_shipped_at IS NULL").bind(shippedAt, g.id),
        db
          .prepare("INSERT INTO fix_loops (group_id, project_id, failure_class, category, observed_at, shipped_at, release) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
          .bind(g.id, caller.projectId, g.failure_class, categoryOf(g), g.observed_at ?? g.first_seen, shippedAt, version),
        db
          .prepare("INSERT INTO group_events (group_id, project_id, ts, actor, action, from_status, to_status, detail) VALUES (?, ?, ?, ?, 'fix_shipped', 'resolved', 'resolved', ?)")
          .bind(g.id, caller.projectId, Date.now(), caller.actor, JSON.stringify({ release: version })),
      );
    }
    if (statements.length > 0) await db.batch(statements);
    return c.json({ version, shipped_at: new Date(shippedAt).toISOString(), groups_shipped: waiting.length }, 201);
  });
}
