// Webhooks: POST /v1/webhooks creates one (its signing secret is shown once), GET /v1/webhooks
// lists them, DELETE /v1/webhooks/{id} removes one, GET /v1/webhooks/{id}/deliveries is its
// delivery log. One resource, one file: the four routes share its validation and shape.
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { FAILURE_CLASSES, SEVERITIES } from "../core/failure-classes.ts";
import { isoTime } from "../core/time.ts";
import { ApiError } from "../errors.ts";
import { readJsonBody } from "../http/json-body.ts";
import { projectStub } from "../ingest/dispatch.ts";
import { WEBHOOK_EVENTS } from "../triage/webhook-payload.ts";

const createBody = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2048),
    format: z.enum(["json", "slack"]).default("json"),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).default(["group.new", "group.regressed", "group.escalated"]),
    classes: z.array(z.enum(FAILURE_CLASSES)).min(1).nullable().default(null),
    min_severity: z.enum(SEVERITIES).default("low"),
  })
  .strict();

interface WebhookRow {
  id: string;
  url: string;
  format: string;
  events: string;
  classes: string | null;
  min_severity: string;
  created_at: number;
}

const view = (w: WebhookRow) => ({
  id: w.id,
  url: w.url,
  format: w.format,
  events: JSON.parse(w.events) as string[],
  classes: w.classes ? (JSON.parse(w.classes) as string[]) : null,
  min_severity: w.min_severity,
  created_at: isoTime(w.created_at),
});

export function registerWebhooks(app: App): void {
  app.post("/v1/webhooks", async (c) => {
    const caller = await requireProject(c, ["admin"]);
    const w = await readJsonBody(c, createBody, "JSON: {\"url\": http(s) URL, \"format\"?: json|slack, \"events\"?, \"classes\"?, \"min_severity\"?}");
    const id = `wh_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const secret = `whsec_${[...crypto.getRandomValues(new Uint8Array(24))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
    const now = Date.now();
    await c.env.DB.prepare("INSERT INTO webhooks (id, project_id, url, secret, format, events, classes, min_severity, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(id, caller.projectId, w.url, secret, w.format, JSON.stringify(w.events), w.classes ? JSON.stringify(w.classes) : null, w.min_severity, now)
      .run();
    return c.json({ webhook: view({ id, url: w.url, format: w.format, events: JSON.stringify(w.events), classes: w.classes ? JSON.stringify(w.classes) : null, min_severity: w.min_severity, created_at: now }), secret }, 201);
  });

  app.get("/v1/webhooks", async (c) => {
    const caller = await requireProject(c, ["read", "admin"]);
    const { results } = await c.env.DB.prepare(
      "SELECT id, url, format, events, classes, min_severity, created_at FROM webhooks WHERE project_id = ? AND deleted_at IS NULL ORDER BY created_at",
    )
      .bind(caller.projectId)
      .all<WebhookRow>();
    return c.json({ webhooks: results.map(view) });
  });

  app.delete("/v1/webhooks/:id", async (c) => {
    const caller = await requireProject(c, ["admin"]);
    const res = await c.env.DB.prepare("UPDATE webhooks SET deleted_at = ? WHERE id = ? AND project_id = ? AND deleted_at IS NULL")
      .bind(Date.now(), c.req.param("id"), caller.projectId)
      .run();
    if (res.meta.changes === 0) throw new ApiError("not_found", "No such webhook in this project.");
    return c.body(null, 204);
  });

  app.get("/v1/webhooks/:id/deliveries", async (c) => {
    const caller = await requireProject(c, ["read", "admin"]);
    const exists = await c.env.DB.prepare("SELECT 1 AS x FROM webhooks WHERE id = ? AND project_id = ?").bind(c.req.param("id"), caller.projectId).first();
    if (!exists) throw new ApiError("not_found", "No such webhook in this project.");
    const limit = Number(c.req.query("limit") ?? "50");
    return c.json({ deliveries: await projectStub(c.env, caller.projectId).webhookDeliveries(c.req.param("id"), Number.isFinite(limit) ? limit : 50) });
  });
}
