// Webhook fan-out and delivery for one project: notifications become one delivery row per matching
// webhook, stored before anything is sent, then POSTed by the project object's alarm with retries
// and backoff. A receiver that is down loses nothing: deliveries wait, retrying for up to 3 days.
import { SEVERITIES } from "../../workers/core/failure-classes.ts";
import type { WebhookEvent } from "../../workers/triage/webhook-payload.ts";
import { groupEventBody, groupEventSlack, signBody } from "../../workers/triage/webhook-payload.ts";
import type { NotificationIntent } from "../shared/notifications.ts";

export interface WebhookRow {
  id: string;
  url: string;
  secret: string;
  format: "json" | "slack";
  events: string;
  classes: string | null;
  min_severity: string;
}

export interface DeliveryView {
  id: string;
  webhook_id: string;
  event: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  delivered_at: string | null;
  last_status: number | null;
  last_error: string | null;
}

/** Deliveries sent per alarm run: each may wait up to the timeout, and a run should end in seconds. */
const DELIVERIES_PER_RUN = 25;
const SEND_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 10_000;
const MAX_RETRY_MS = 3_600_000;
const GIVE_UP_AFTER_MS = 72 * 3_600_000;
const WEBHOOK_CACHE_MS = 15_000;

let cache: { projectId: string; at: number; rows: WebhookRow[] } | null = null;

export async function projectWebhooks(db: D1Database, projectId: string, now = Date.now()): Promise<WebhookRow[]> {
  if (cache && cache.projectId === projectId && now - cache.at < WEBHOOK_CACHE_MS) return cache.rows;
  const { results } = await db
    .prepare("SELECT id, url, secret, format, events, classes, min_severity FROM webhooks WHERE project_id = ? AND deleted_at IS NULL")
    .bind(projectId)
    .all<WebhookRow>();
  cache = { projectId, at: now, rows: results };
  return results;
}


function wants(hook: WebhookRow, event: WebhookEvent, failureClass: string | null, severity: string | null): boolean {
  if (!(JSON.parse(hook.events) as string[]).includes(event)) return false;
  if (failureClass !== null && hook.classes !== null && !(JSON.parse(hook.classes) as string[]).includes(failureClass)) return false;
  if (severity !== null) {
    const rank = (s: string) => (SEVERITIES as readonly string[]).indexOf(s);
    if (rank(severity) < rank(hook.min_severity)) return false;
  }
  return true;
}

function insertDelivery(sql: SqlStorage, hook: WebhookRow, event: WebhookEvent, body: unknown, now: number): void {
  sql.exec(
    `INSERT INTO webhook_deliveries (id, webhook_id, event, payload, status, attempts, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
    `whd_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`,
    hook.id,
    event,
    JSON.stringify(body),
    now,
    now,
  );
}

/** Queues group notifications (idempotent by intent key). Returns how many deliveries were queued. */
export function queueGroupNotifications(sql: SqlStorage, projectId: string, hooks: readonly WebhookRow[], intents: readonly NotificationIntent[], now = Date.now()): number {
  let queued = 0;
  for (const intent of intents) {
    const fresh = sql.exec("INSERT INTO notifications_seen (key, ts) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING ts", intent.key, now).toArray().length > 0;
    if (!fresh) continue;
    for (const hook of hooks) {
      if (!wants(hook, intent.kind, intent.group.failure_class, intent.group.severity)) continue;
      insertDelivery(sql, hook, intent.kind, hook.format === "slack" ? groupEventSlack(projectId, intent) : groupEventBody(projectId, intent), now);
      queued++;
    }
  }
  return queued;
}

export function queueDigest(sql: SqlStorage, hooks: readonly WebhookRow[], key: string, json: unknown, slack: unknown, now = Date.now()): number {
  const fresh = sql.exec("INSERT INTO notifications_seen (key, ts) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING ts", key, now).toArray().length > 0;
  if (!fresh) return 0;
  let queued = 0;
  for (const hook of hooks) {
    if (!wants(hook, "digest", null, null)) continue;
    insertDelivery(sql, hook, "digest", hook.format === "slack" ? slack : json, now);
    queued++;
  }
  return queued;
}

/** Sends the due deliveries (a bounded number); returns the next due time, or null. */
export async function sendDueDeliveries(sql: SqlStorage, db: D1Database, projectId: string, now = Date.now()): Promise<number | null> {
  const due = sql
    .exec<{ id: string; webhook_id: string; event: string; payload: string; attempts: number; created_at: number }>(
      "SELECT id, webhook_id, event, payload, attempts, created_at FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
      now,
      DELIVERIES_PER_RUN,
    )
    .toArray();
  if (due.length > 0) {
    const hooks = new Map((await projectWebhooks(db, projectId, now)).map((h) => [h.id, h]));
    await Promise.all(
      due.map(async (d) => {
        const hook = hooks.get(d.webhook_id);
        if (!hook) {
          sql.exec("UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook deleted' WHERE id = ?", d.id);
          return;
        }
        let status: number | null = null;
        let error: string | null = null;
        try {
          const t = Math.floor(Date.now() / 1000);
          const res = await fetch(hook.url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "user-agent": "Vigil-Webhooks/1",
              "x-vigil-event": d.event,
              "x-vigil-delivery": d.id,
              "x-vigil-signature": await signBody(hook.secret, d.payload, t),
            },
            body: d.payload,
            signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
          });
          status = res.status;
          await res.body?.cancel();
          if (!res.ok) error = `receiver answered ${res.status}`;
        } catch (e) {
          error = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : "send failed";
        }
        const attempts = d.attempts + 1;
        if (error === null) {
          sql.exec("UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, last_status = ?, last_error = NULL, next_attempt_at = NULL WHERE id = ?", attempts, Date.now(), status, d.id);
        } else if (Date.now() - d.created_at > GIVE_UP_AFTER_MS) {
          sql.exec("UPDATE webhook_deliveries SET status = 'failed', attempts = ?, last_status = ?, last_error = ?, next_attempt_at = NULL WHERE id = ?", attempts, status, error, d.id);
        } else {
          const delay = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);
          sql.exec("UPDATE webhook_deliveries SET attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?", attempts, status, error, Date.now() + delay, d.id);
        }
      }),
    );
  }
  return sql.exec<{ next: number | null }>("SELECT min(next_attempt_at) AS next FROM webhook_deliveries WHERE status = 'pending'").one().next;
}

export function listDeliveries(sql: SqlStorage, webhookId: string, limit: number): DeliveryView[] {
  const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
  return sql
    .exec<{ id: string; webhook_id: string; event: string; status: DeliveryView["status"]; attempts: number; created_at: number; next_attempt_at: number | null; delivered_at: number | null; last_status: number | null; last_error: string | null }>(
      "SELECT id, webhook_id, event, status, attempts, created_at, next_attempt_at, delivered_at, last_status, last_error FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at DESC LIMIT ?",
      webhookId,
      limit,
    )
    .toArray()
    .map((d) => ({ ...d, created_at: iso(d.created_at)!, next_attempt_at: iso(d.next_attempt_at), delivered_at: iso(d.delivered_at) }));
}
