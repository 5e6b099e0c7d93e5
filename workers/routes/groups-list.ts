// GET /v1/groups?failure_class=&status=&severity=&q=&since=&until=&limit=&cursor=: newest first,
// keyset-paginated so every page is an index range scan however many groups a project has.
// `since`/`until` bound last_seen, the column every groups index ends with, so they narrow that
// range scan rather than filter after it; `q` (text in the signature or class) is checked on the
// rows the scan walks, which stops as soon as a page is full.
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { FAILURE_CLASSES, SEVERITIES } from "../core/failure-classes.ts";
import { ApiError } from "../errors.ts";
import type { GroupRow } from "../read/group-view.ts";
import { groupView } from "../read/group-view.ts";

/** RFC 3339 (with an offset) or epoch milliseconds, as events take them. */
const instant = z.union([z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)), z.string().regex(/^\d{1,15}$/).transform(Number)]);

const query = z.object({
  failure_class: z.enum(FAILURE_CLASSES).optional(),
  status: z.string().min(1).max(32).optional(),
  severity: z.enum(SEVERITIES).optional(),
  q: z.string().trim().max(200).optional(),
  since: instant.optional(),
  until: instant.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export type GroupsQuery = z.infer<typeof query>;

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

/** LIKE treats % and _ as wildcards: a search for "rate_limited" must match those characters only. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** The page's SQL, exported so a test can check its query plan stays an index range scan. */
export function groupsPageQuery(projectId: string, q: GroupsQuery): { sql: string; params: (string | number)[] } {
  const where = ["project_id = ?"];
  const params: (string | number)[] = [projectId];
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
  if (q.since !== undefined) {
    where.push("last_seen >= ?");
    params.push(q.since);
  }
  if (q.until !== undefined) {
    where.push("last_seen < ?");
    params.push(q.until);
  }
  if (q.q) {
    // SQLite's LIKE is case-insensitive for ASCII, which is what a search box wants.
    where.push("(signature LIKE ? ESCAPE '\\' OR failure_class LIKE ? ESCAPE '\\')");
    params.push(likePattern(q.q), likePattern(q.q));
  }
  if (q.cursor) {
    const { lastSeen, id } = decodeCursor(q.cursor);
    where.push("(last_seen < ? OR (last_seen = ? AND id < ?))");
    params.push(lastSeen, lastSeen, id);
  }
  params.push(q.limit + 1);
  return { sql: `SELECT * FROM failure_groups WHERE ${where.join(" AND ")} ORDER BY last_seen DESC, id DESC LIMIT ?`, params };
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
    const { sql, params } = groupsPageQuery(caller.projectId, q);
    const { results } = await c.env.DB.prepare(sql)
      .bind(...params)
      .all<GroupRow>();
    const more = results.length > q.limit;
    const page = more ? results.slice(0, q.limit) : results;
    const last = page[page.length - 1];
    return c.json({ groups: page.map(groupView), next_cursor: more && last ? encodeCursor(last.last_seen, last.id) : null });
  });
}
