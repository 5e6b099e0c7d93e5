// PATCH /v1/groups/{id}: triage a group: move it through its lifecycle (acknowledge, fix in
// progress, resolve, optionally "in release X", archive until escalation or for good, reopen) and
// reclassify its remediation category. Every change is kept in the group's history with who and
// when. Illegal transitions answer 409 with the allowed ones. Needs a project admin key or the
// admin token (read keys only read, spec section 3).
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { TRIAGE_CATEGORIES } from "../core/failure-classes.ts";
import { ApiError } from "../errors.ts";
import { readJsonBody } from "../http/json-body.ts";
import type { GroupRow } from "../read/group-view.ts";
import { groupView } from "../read/group-view.ts";
import type { GroupStatus } from "../triage/lifecycle.ts";
import { ARCHIVE_MODES, GROUP_STATUSES, transitionError } from "../triage/lifecycle.ts";
import { categoryOf } from "../triage/fix-loops.ts";

const body = z
  .object({
    status: z.enum(GROUP_STATUSES).optional(),
    release: z.string().trim().min(1).max(256).optional(),
    archive: z.enum(ARCHIVE_MODES).optional(),
    category: z.enum(TRIAGE_CATEGORIES).nullable().optional(),
    actor: z.string().trim().min(1).max(200).optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();

export function registerGroupUpdate(app: App): void {
  app.patch("/v1/groups/:id", async (c) => {
    const caller = await requireProject(c, ["admin"]);
    const change = await readJsonBody(c, body, "a JSON object with status, release, archive, category, actor or note");
    if (change.status === undefined && change.category === undefined) throw new ApiError("invalid_body", "Send a status or a category to change.");
    if (change.release !== undefined && change.status !== "resolved") throw new ApiError("invalid_body", "release goes with status resolved.");
    if (change.archive !== undefined && change.status !== "archived") throw new ApiError("invalid_body", "archive goes with status archived.");

    const id = c.req.param("id");
    const db = c.env.DB;
    const group = await db.prepare("SELECT * FROM failure_groups WHERE id = ? AND project_id = ?").bind(id, caller.projectId).first<GroupRow>();
    if (!group) throw new ApiError("not_found", "No such group in this project.");
    const actor = change.actor ?? caller.actor;
    const now = Date.now();
    const statements: D1PreparedStatement[] = [];
    const audit = (action: string, from: string | null, to: string | null, detail: Record<string, unknown>) =>
      db
        .prepare("INSERT INTO group_events (group_id, project_id, ts, actor, action, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(id, caller.projectId, now, actor, action, from, to, JSON.stringify({ ...detail, ...(change.note ? { note: change.note } : {}) }));

    if (change.status !== undefined) {
      const from = group.status as GroupStatus;
      const to = change.status;
      const releaseUpdate = from === "resolved" && to === "resolved" && change.release !== undefined && change.release !== group.resolved_in_release;
      const problem = releaseUpdate ? null : transitionError(from, to);
      if (problem) throw new ApiError("conflict", problem);
      let set = "status = ?, status_changed_at = ?";
      const params: (string | number | null)[] = [to, now];
      if (to === "resolved") {
        const release = change.release ?? null;
        const shipped = release
          ? ((await db.prepare("SELECT shipped_at FROM releases WHERE project_id = ? AND version = ?").bind(caller.projectId, release).first<{ shipped_at: number }>())?.shipped_at ?? null)
          : now;
        set += ", resolved_at = ?, resolved_in_release = ?, fix_shipped_at = ?, archive_mode = NULL";
        params.push(now, release, shipped);
        if (shipped !== null) {
          statements.push(
            db
              .prepare("INSERT INTO fix_loops (group_id, project_id, failure_class, category, observed_at, shipped_at, release) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
              .bind(id, caller.projectId, group.failure_class, categoryOf(group), group.observed_at ?? group.first_seen, shipped, release),
          );
        }
      } else if (to === "archived") {
        set += ", archive_mode = ?, archived_occurrences = ?, archived_severity = ?";
        params.push(change.archive ?? "until_escalation", group.occurrences, group.severity);
      } else if (to === "open") {
        // Reopened by a person: a later recurrence is just an occurrence, not a regression.
        set += ", resolved_in_release = NULL, fix_shipped_at = NULL, archive_mode = NULL";
      }
      // Guarded on the status read above, so two people triaging at once cannot interleave.
      statements.unshift(db.prepare(`UPDATE failure_groups SET ${set} WHERE id = ? AND status = ?`).bind(...params, id, from));
      statements.push(audit("transition", from, to, { ...(change.release ? { release: change.release } : {}), ...(change.archive ? { archive: change.archive } : {}) }));
    }
    if (change.category !== undefined) {
      statements.push(
        db
          .prepare("UPDATE failure_groups SET category_override = ?, category_override_by = ?, category_override_at = ? WHERE id = ?")
          .bind(change.category, change.category === null ? null : actor, change.category === null ? null : now, id),
        audit("reclassified", null, null, { from: categoryOf(group), to: change.category }),
      );
    }
    const results = await db.batch(statements);
    if (change.status !== undefined && results[0]?.meta.changes === 0) {
      throw new ApiError("conflict", "The group changed while you were triaging it; load it again.");
    }
    const updated = await db.prepare("SELECT * FROM failure_groups WHERE id = ?").bind(id).first<GroupRow>();
    return c.json({ group: groupView(updated!) });
  });
}
