// GET /v1/ingest/health?hours=24: events accepted, rejected (by code), duplicates and ignored spans
// over the last hours, from the project object.
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { projectStub } from "../ingest/dispatch.ts";

export function registerIngestHealthGet(app: App): void {
  app.get("/v1/ingest/health", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const hours = Number(c.req.query("hours") ?? "24");
    if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 35) throw new ApiError("bad_request", "hours must be a whole number from 1 to 840.");
    return c.json(await projectStub(c.env, caller.projectId).ingestHealth(hours));
  });
}
