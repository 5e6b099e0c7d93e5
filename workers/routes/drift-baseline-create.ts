// POST /v1/drift/baseline: makes the current window the drift baseline, when a change of models or
// prompts was intended (project admin key or the admin token).
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { projectStub } from "../ingest/dispatch.ts";

export function registerDriftBaselineCreate(app: App): void {
  app.post("/v1/drift/baseline", async (c) => {
    const caller = await requireProject(c, ["admin"]);
    const baseline = await projectStub(c.env, caller.projectId).snapshotDriftBaseline(caller.settings);
    return c.json({ baseline }, 201);
  });
}
