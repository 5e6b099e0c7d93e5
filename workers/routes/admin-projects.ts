// POST /v1/admin/projects {"name"}: creates a project with one ingest, one read and one project
// admin key (settings and keys of that project only), each shown once.
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireAdmin } from "../auth/middleware.ts";
import { generateKey, hashKey } from "../auth/keys.ts";
import { ApiError } from "../errors.ts";

const createProjectBody = z.object({ name: z.string().trim().min(1).max(200) });

export function registerAdminProjects(app: App): void {
  app.post("/v1/admin/projects", async (c) => {
    await requireAdmin(c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError("invalid_json", "The body must be JSON: {\"name\": \"...\"}.");
    }
    const parsed = createProjectBody.safeParse(body);
    if (!parsed.success) throw new ApiError("invalid_body", "name must be a non-empty string of at most 200 characters.");
    const projectId = `prj_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const ingestKey = generateKey("ingest");
    const readKey = generateKey("read");
    const adminKey = generateKey("admin");
    const now = Date.now();
    const insertKey = c.env.DB.prepare(
      "INSERT INTO api_keys (key_hash, project_id, scope, key_prefix, created_at) VALUES (?, ?, ?, ?, ?)",
    );
    await c.env.DB.batch([
      c.env.DB.prepare("INSERT INTO projects (id, name, created_at, settings) VALUES (?, ?, ?, '{}')").bind(projectId, parsed.data.name, now),
      insertKey.bind(await hashKey(ingestKey), projectId, "ingest", ingestKey.slice(0, 12), now),
      insertKey.bind(await hashKey(readKey), projectId, "read", readKey.slice(0, 12), now),
      insertKey.bind(await hashKey(adminKey), projectId, "admin", adminKey.slice(0, 12), now),
    ]);
    return c.json({ project_id: projectId, name: parsed.data.name, ingest_key: ingestKey, read_key: readKey, admin_key: adminKey }, 201);
  });
}
