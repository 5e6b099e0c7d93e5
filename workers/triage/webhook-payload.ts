// Webhook bodies and their signature. Every delivery is signed so a receiver can check it came from
// Vigil and was not replayed: `X-Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`
// with the webhook's secret (the scheme Stripe popularised; verify within a few minutes of t).
import type { NotificationIntent } from "../../durable-objects/shared/notifications.ts";
import type { FailureClass } from "../core/failure-classes.ts";
import { CLASS_INFO, REMEDIATION_ROUTES, isFailureClass } from "../core/failure-classes.ts";
import { suggestedFix } from "../playbooks/try-first.ts";

export const WEBHOOK_EVENTS = ["group.new", "group.regressed", "group.escalated", "digest"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const encoder = new TextEncoder();

export async function signBody(secret: string, body: string, unixSeconds: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${unixSeconds}.${body}`));
  return `t=${unixSeconds},v1=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const HEADLINE: Record<NotificationIntent["kind"], string> = {
  "group.new": "New failure group",
  "group.regressed": "Regression: a fixed failure is back",
  "group.escalated": "Archived failure group escalated",
};

export function groupEventBody(projectId: string, intent: NotificationIntent) {
  const cls = intent.group.failure_class;
  const category = isFailureClass(cls) ? CLASS_INFO[cls as FailureClass].category : null;
  return {
    type: intent.kind,
    project_id: projectId,
    group: {
      ...intent.group,
      first_seen: new Date(intent.group.first_seen).toISOString(),
      last_seen: new Date(intent.group.last_seen).toISOString(),
      category,
      remediation_route: category ? REMEDIATION_ROUTES[category] : null,
    },
    execution_id: intent.execution_id,
    playbook: suggestedFix(cls, intent.group.signature),
    occurred_at: new Date(intent.ts).toISOString(),
  };
}

/** A Slack incoming-webhook body (text plus blocks); other chat tools accept the same shape. */
export function slackBody(text: string, fields: readonly [string, string][]): { text: string; blocks: unknown[] } {
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${text}*` } },
      { type: "section", fields: fields.map(([k, v]) => ({ type: "mrkdwn", text: `*${k}*\n${v}` })) },
    ],
  };
}

export function groupEventSlack(projectId: string, intent: NotificationIntent) {
  const body = groupEventBody(projectId, intent);
  return slackBody(`${HEADLINE[intent.kind]}: ${intent.group.failure_class} — ${intent.group.signature}`, [
    ["Severity", intent.group.severity],
    ["Occurrences", String(intent.group.occurrences)],
    ["Route", body.group.remediation_route ?? "-"],
    ["Try first", body.playbook?.try_first ?? "See the playbook."],
  ]);
}
