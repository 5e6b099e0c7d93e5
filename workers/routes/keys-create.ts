// POST /v1/keys {"scope": "ingest" | "read" | "admin"}: a new key for the caller's project, shown
// once (project admin key, or the admin token with ?project_id=). Admin keys manage the project's
// settings and keys; they never reach another project.
import { z } from "zod";
import type { App } from "../app-env.ts";
import { generateKey, hashKey } from "../auth/keys.ts";
import { requireProject } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";

const body = z.object({ scope: z.enum(["ingest", "read", "admin"]) });

export function registerKeysCreate(app: App): void {
  app.post("/v1/keys", async (c) => {
    const caller = await requireProject(c, ["admin"]);
    let input: unknown;
    try {
      input = await c.req.json();
    } catch {
      throw new ApiError("invalid_json", 'The body must be JSON: {"scope": "ingest" | "read" | "admin"}.');
    }
    const parsed = body.safeParse(input);
    if (!parsed.success) throw new ApiError("invalid_body", "scope must be one of: ingest, read, admin.");
    const key = generateKey(parsed.data.scope);
    await c.env.DB.prepare("INSERT INTO api_keys (key_hash, project_id, scope, key_prefix, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind(await hashKey(key), caller.projectId, parsed.data.scope, key.slice(0, 12), Date.now())
      .run();
    return c.json({ project_id: caller.projectId, scope: parsed.data.scope, key }, 201);
  });
}
