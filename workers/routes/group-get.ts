// GET /v1/groups/{id}: the group, its playbook, its most recent executions and its history (every
// transition and reclassification with who and when).
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { isoTime } from "../core/time.ts";
import { ApiError } from "../errors.ts";
import { findPlaybook } from "../playbooks/lookup.ts";
import type { GroupRow } from "../read/group-view.ts";
import { groupView } from "../read/group-view.ts";

const RECENT_EXECUTIONS = 20;

export function registerGroupGet(app: App): void {
  app.get("/v1/groups/:id", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const [group, recent, history] = await c.env.DB.batch([
      c.env.DB.prepare("SELECT * FROM failure_groups WHERE id = ? AND project_id = ?").bind(c.req.param("id"), caller.projectId),
      c.env.DB.prepare(
        `SELECT ge.execution_id, ge.first_seen, ge.last_seen, ge.occurrences, e.status, e.name, e.tenant_id
         FROM group_executions ge LEFT JOIN executions e ON e.project_id = ge.project_id AND e.execution_id = ge.execution_id
         WHERE ge.group_id = ? AND ge.project_id = ? ORDER BY ge.last_seen DESC LIMIT ?`,
      ).bind(c.req.param("id"), caller.projectId, RECENT_EXECUTIONS),
      c.env.DB.prepare("SELECT ts, actor, action, from_status, to_status, detail FROM group_events WHERE group_id = ? AND project_id = ? ORDER BY ts DESC, id DESC LIMIT 50").bind(
        c.req.param("id"),
        caller.projectId,
      ),
    ]);
    const row = group?.results[0] as GroupRow | undefined;
    // Another project's group answers exactly like a missing one.
    if (!row) throw new ApiError("not_found", "No such group in this project.");
    const playbook = findPlaybook(row.failure_class, row.signature);
    return c.json({
      group: groupView(row),
      playbook: playbook ? { id: playbook.id, title: playbook.title, markdown: playbook.markdown } : null,
      history: (history?.results ?? []).map((r) => {
        const h = r as { ts: number; actor: string; action: string; from_status: string | null; to_status: string | null; detail: string | null };
        return { at: isoTime(h.ts), actor: h.actor, action: h.action, from: h.from_status, to: h.to_status, detail: h.detail ? (JSON.parse(h.detail) as Record<string, unknown>) : {} };
      }),
      recent_executions: (recent?.results ?? []).map((r) => {
        const e = r as { execution_id: string; first_seen: number; last_seen: number; occurrences: number; status: string | null; name: string | null; tenant_id: string | null };
        return {
          execution_id: e.execution_id,
          name: e.name,
          status: e.status,
          tenant_id: e.tenant_id,
          first_seen: isoTime(e.first_seen),
          last_seen: isoTime(e.last_seen),
          occurrences: e.occurrences,
        };
      }),
    });
  });
}
