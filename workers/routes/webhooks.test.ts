// Webhooks: a new group and a regression reach matching receivers, signed with HMAC-SHA256; the
// Slack body option; class and severity filters; a receiver that is down loses nothing (retries
// with backoff until it answers); the delivery log; isolation and key scopes.
import { afterEach, describe, it } from "vitest";
import type { TestProject } from "../../test/helpers.ts";
import { at, createProject, deliverNow, flushExecution, getJson, ingest, listGroups, patchGroup, postJson } from "../../test/helpers.ts";
import { installReceiver } from "../../test/webhook-receiver.ts";
import { signBody } from "../triage/webhook-payload.ts";

let receiver: ReturnType<typeof installReceiver> | null = null;
afterEach(() => receiver?.restore());

async function failTool(p: TestProject, executionId: string, tool = "book", ts = Date.now()) {
  await ingest(p.ingest_key, [at(ts, executionId, "tool_call", { tool, status: "failed", error: { type: "Timeout" } })]);
  await flushExecution(p.project_id, executionId);
  await deliverNow(p.project_id);
}

async function createHook(p: TestProject, body: Record<string, unknown>) {
  const res = await postJson("/v1/webhooks", p.admin_key, body);
  return res.body as { webhook: { id: string }; secret: string };
}

describe("webhooks", () => {
  it("sends a signed JSON body on a group's first occurrence, once", async ({ expect }) => {
    receiver = installReceiver();
    const p = await createProject();
    const { webhook, secret } = await createHook(p, { url: "https://hooks.test/json" });
    await failTool(p, "e1");
    await failTool(p, "e2");
    expect(receiver.received.length).toBe(1);
    const hit = receiver.received[0]!;
    const body = JSON.parse(hit.body) as { type: string; group: { failure_class: string; signature: string; remediation_route: string }; playbook: { try_first: string } };
    expect(body).toMatchObject({ type: "group.new", group: { failure_class: "tool_failure", signature: "book:Timeout" } });
    expect(body.playbook.try_first.length).toBeGreaterThan(20);
    expect(hit.headers["x-vigil-event"]).toBe("group.new");
    const t = Number(/t=(\d+)/.exec(hit.headers["x-vigil-signature"]!)![1]);
    expect(hit.headers["x-vigil-signature"]).toBe(await signBody(secret, hit.body, t));
    const log = await getJson<{ deliveries: { status: string; attempts: number; last_status: number }[] }>(`/v1/webhooks/${webhook.id}/deliveries`, p.read_key);
    expect(log.body.deliveries).toEqual([expect.objectContaining({ status: "delivered", attempts: 1, last_status: 200 })]);
  });

  it("notifies a regression, and honours class and severity filters", async ({ expect }) => {
    receiver = installReceiver();
    const p = await createProject();
    await createHook(p, { url: "https://hooks.test/regressions", events: ["group.regressed"] });
    await createHook(p, { url: "https://hooks.test/crashes-only", classes: ["crash"] });
    await createHook(p, { url: "https://hooks.test/critical-only", min_severity: "critical" });
    await failTool(p, "e1", "book", Date.now() - 60_000);
    const g = (await listGroups(p))[0]!;
    await patchGroup(p, g.id, { status: "resolved" });
    await failTool(p, "e2", "book", Date.now() + 1000);
    expect(receiver.received.map((r) => [r.url, JSON.parse(r.body).type])).toEqual([["https://hooks.test/regressions", "group.regressed"]]);
  });

  it("sends a Slack-compatible body when asked", async ({ expect }) => {
    receiver = installReceiver();
    const p = await createProject();
    await createHook(p, { url: "https://hooks.test/slack", format: "slack" });
    await failTool(p, "e1");
    const body = JSON.parse(receiver.received[0]!.body) as { text: string; blocks: unknown[] };
    expect(body.text).toContain("New failure group: tool_failure — book:Timeout");
    expect(body.blocks.length).toBe(2);
  });

  it("loses nothing while the receiver is down, retrying until it answers", async ({ expect }) => {
    let up = false;
    receiver = installReceiver(() => (up ? 200 : 503));
    const p = await createProject();
    const { webhook } = await createHook(p, { url: "https://hooks.test/flaky" });
    await failTool(p, "e1");
    await deliverNow(p.project_id);
    let log = await getJson<{ deliveries: { status: string; attempts: number; last_error: string | null; next_attempt_at: string | null }[] }>(`/v1/webhooks/${webhook.id}/deliveries`, p.read_key);
    // Three attempts so far: the project object's alarm also ran when the run's row was flushed.
    expect(log.body.deliveries[0]).toMatchObject({ status: "pending", attempts: 3, last_error: "receiver answered 503" });
    up = true;
    await deliverNow(p.project_id);
    log = await getJson(`/v1/webhooks/${webhook.id}/deliveries`, p.read_key);
    expect(log.body.deliveries[0]).toMatchObject({ status: "delivered", attempts: 4 });
    expect(receiver.received.length).toBe(4);
    expect(new Set(receiver.received.map((r) => r.headers["x-vigil-delivery"])).size).toBe(1);
  });

  it("lists and deletes webhooks per project, hiding secrets, admin keys only for changes", async ({ expect }) => {
    const p = await createProject();
    const other = await createProject();
    const { webhook } = await createHook(p, { url: "https://hooks.test/x" });
    expect((await postJson("/v1/webhooks", p.read_key, { url: "https://hooks.test/y" })).status).toBe(403);
    expect((await postJson("/v1/webhooks", p.admin_key, { url: "ftp://nope" })).status).toBe(400);
    const list = await getJson<{ webhooks: Record<string, unknown>[] }>("/v1/webhooks", p.read_key);
    expect(list.body.webhooks).toEqual([expect.objectContaining({ id: webhook.id, url: "https://hooks.test/x" })]);
    expect(list.body.webhooks[0]).not.toHaveProperty("secret");
    expect((await getJson<{ webhooks: unknown[] }>("/v1/webhooks", other.read_key)).body.webhooks).toEqual([]);
    expect((await getJson(`/v1/webhooks/${webhook.id}/deliveries`, other.read_key)).status).toBe(404);
    const { call } = await import("../../test/helpers.ts");
    expect((await call(`/v1/webhooks/${webhook.id}`, { method: "DELETE", key: other.admin_key })).status).toBe(404);
    expect((await call(`/v1/webhooks/${webhook.id}`, { method: "DELETE", key: p.admin_key })).status).toBe(204);
  });
});
