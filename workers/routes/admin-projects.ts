// POST /v1/admin/projects {"name"}: creates a project with one ingest, one read and one project
// admin key (settings and keys of that project only), each shown once.
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireAdmin } from "../auth/middleware.ts";
import { generateKey, hashKey } from "../auth/keys.ts";
import { readJsonBody } from "../http/json-body.ts";

const createProjectBody = z.object({ name: z.string().trim().min(1).max(200) });

export function registerAdminProjects(app: App): void {
  app.post("/v1/admin/projects", async (c) => {
    await requireAdmin(c);
    const input = await readJsonBody(c, createProjectBody, "JSON: {\"name\": \"...\"} with a name of at most 200 characters");
    const projectId = `prj_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const ingestKey = generateKey("ingest");
    const readKey = generateKey("read");
    const adminKey = generateKey("admin");
    const now = Date.now();
    const insertKey = c.env.DB.prepare(
      "INSERT INTO api_keys (key_hash, project_id, scope, key_prefix, created_at) VALUES (?, ?, ?, ?, ?)",
    );
    await c.env.DB.batch([
      c.env.DB.prepare("INSERT INTO projects (id, name, created_at, settings) VALUES (?, ?, ?, '{}')").bind(projectId, input.name, now),
      insertKey.bind(await hashKey(ingestKey), projectId, "ingest", ingestKey.slice(0, 12), now),
      insertKey.bind(await hashKey(readKey), projectId, "read", readKey.slice(0, 12), now),
      insertKey.bind(await hashKey(adminKey), projectId, "admin", adminKey.slice(0, 12), now),
    ]);
    return c.json({ project_id: projectId, name: input.name, ingest_key: ingestKey, read_key: readKey, admin_key: adminKey }, 201);
  });
}
