// GET /v1/session: who the caller is, for the dashboard's sign-in: the project and whether the
// credential may triage (a project admin key or the admin token) or only read. Ingest keys cannot
// sign in: they never read (spec section 3).
import type { App } from "../app-env.ts";
import { lookupKey } from "../auth/keys.ts";
import { requireProject } from "../auth/middleware.ts";

export function registerSessionGet(app: App): void {
  app.get("/v1/session", async (c) => {
    const caller = await requireProject(c, ["read", "admin"]);
    if (caller.isAdmin) return c.json({ project_id: caller.projectId, scope: "admin", credential: "admin_token", can_triage: true });
    // requireProject has checked the header's shape and the key; this second lookup hits its cache.
    const token = (c.req.header("authorization") ?? "").slice("Bearer ".length);
    const key = await lookupKey(c.env.DB, token);
    const scope = key?.scope === "admin" ? "admin" : "read";
    return c.json({ project_id: caller.projectId, scope, credential: "key", can_triage: scope === "admin" });
  });
}
