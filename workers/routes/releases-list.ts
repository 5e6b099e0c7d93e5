// GET /v1/releases: the project's releases, newest first.
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";

export function registerReleasesList(app: App): void {
  app.get("/v1/releases", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const { results } = await c.env.DB.prepare("SELECT version, shipped_at, environment FROM releases WHERE project_id = ? ORDER BY shipped_at DESC LIMIT 100")
      .bind(caller.projectId)
      .all<{ version: string; shipped_at: number; environment: string | null }>();
    return c.json({ releases: results.map((r) => ({ ...r, shipped_at: new Date(r.shipped_at).toISOString() })) });
  });
}
