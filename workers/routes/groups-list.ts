// GET /v1/groups?failure_class=&status=&severity=&limit=&cursor=: newest first, keyset-paginated so
// every page is an index range scan however many groups a project has.
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { FAILURE_CLASSES, SEVERITIES } from "../core/failure-classes.ts";
import { ApiError } from "../errors.ts";
import type { GroupRow } from "../read/group-view.ts";
import { groupView } from "../read/group-view.ts";

const query = z.object({
  failure_class: z.enum(FAILURE_CLASSES).optional(),
  status: z.string().min(1).max(32).optional(),
  severity: z.enum(SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

function encodeCursor(lastSeen: number, id: string): string {
  return btoa(`${lastSeen}|${id}`).replaceAll("=", "");
}

function decodeCursor(cursor: string): { lastSeen: number; id: string } {
  try {
    const [lastSeen, id] = atob(cursor).split("|");
    if (lastSeen && id && /^\d+$/.test(lastSeen)) return { lastSeen: Number(lastSeen), id };
  } catch {
    // fall through to the error below
  }
  throw new ApiError("bad_request", "cursor is not one this API returned.");
}

export function registerGroupsList(app: App): void {
  app.get("/v1/groups", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const parsed = query.safeParse(c.req.query());
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join(".") ?? "query";
      throw new ApiError("bad_request", `Query parameter ${field} is invalid.`);
    }
    const q = parsed.data;
    const where = ["project_id = ?"];
    const params: (string | number)[] = [caller.projectId];
    if (q.failure_class) {
      where.push("failure_class = ?");
      params.push(q.failure_class);
    }
    if (q.status) {
      where.push("status = ?");
      params.push(q.status);
    }
    if (q.severity) {
      where.push("severity = ?");
      params.push(q.severity);
    }
    if (q.cursor) {
      const { lastSeen, id } = decodeCursor(q.cursor);
      where.push("(last_seen < ? OR (last_seen = ? AND id < ?))");
      params.push(lastSeen, lastSeen, id);
    }
    const { results } = await c.env.DB.prepare(
      `SELECT * FROM failure_groups WHERE ${where.join(" AND ")} ORDER BY last_seen DESC, id DESC LIMIT ?`,
    )
      .bind(...params, q.limit + 1)
      .all<GroupRow>();
    const more = results.length > q.limit;
    const page = more ? results.slice(0, q.limit) : results;
    const last = page[page.length - 1];
    return c.json({ groups: page.map(groupView), next_cursor: more && last ? encodeCursor(last.last_seen, last.id) : null });
  });
}
