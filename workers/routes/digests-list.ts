// GET /v1/digests?kind=daily|weekly&limit=: the project's latest digests, newest first.
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";

export function registerDigestsList(app: App): void {
  app.get("/v1/digests", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const kind = c.req.query("kind");
    if (kind !== undefined && kind !== "daily" && kind !== "weekly") throw new ApiError("bad_request", "kind must be daily or weekly.");
    const limit = Math.min(Math.max(Number(c.req.query("limit") ?? "10") || 10, 1), 100);
    const { results } = await c.env.DB.prepare(
      `SELECT body FROM digests WHERE project_id = ? ${kind ? "AND kind = ?" : ""} ORDER BY period_start DESC, kind LIMIT ?`,
    )
      .bind(...(kind ? [caller.projectId, kind, limit] : [caller.projectId, limit]))
      .all<{ body: string }>();
    return c.json({ digests: results.map((r) => JSON.parse(r.body) as unknown) });
  });
}
