// POST /v1/keys {"scope": "ingest" | "read" | "admin"}: a new key for the caller's project, shown
// once (project admin key, or the admin token with ?project_id=). Admin keys manage the project's
// settings and keys; they never reach another project.
import { z } from "zod";
import type { App } from "../app-env.ts";
import { generateKey, hashKey } from "../auth/keys.ts";
import { requireProject } from "../auth/middleware.ts";
import { readJsonBody } from "../http/json-body.ts";

const body = z.object({ scope: z.enum(["ingest", "read", "admin"]) });

export function registerKeysCreate(app: App): void {
  app.post("/v1/keys", async (c) => {
    const caller = await requireProject(c, ["admin"]);
    const input = await readJsonBody(c, body, "JSON: {\"scope\": \"ingest\" | \"read\" | \"admin\"}");
    const key = generateKey(input.scope);
    await c.env.DB.prepare("INSERT INTO api_keys (key_hash, project_id, scope, key_prefix, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind(await hashKey(key), caller.projectId, input.scope, key.slice(0, 12), Date.now())
      .run();
    return c.json({ project_id: caller.projectId, scope: input.scope, key }, 201);
  });
}
