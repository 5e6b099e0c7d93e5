// The read API of spec section 6: groups (filters, keyset pagination, detail with playbook and
// recent executions), executions, playbooks; read-key auth; and project isolation.
import { env } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { GroupOut, TestProject } from "../../test/helpers.ts";
import { ADMIN, createProject, eventFactory, flushExecution, getJson, ingest, listGroups, newExecutionId } from "../../test/helpers.ts";

async function failTool(project: TestProject, tool: string, errorType: string, executionId = newExecutionId()) {
  const ev = eventFactory(executionId);
  await ingest(project.ingest_key, [ev("execution_started", { name: "reader" }), ev("tool_call", { tool, status: "failed", error: { type: errorType } })]);
  await flushExecution(project.project_id, executionId);
  return executionId;
}

describe("read API", () => {
  let a: TestProject;
  let b: TestProject;
  beforeAll(async () => {
    a = await createProject("A");
    b = await createProject("B");
  });

  it("lists groups newest first with the spec's fields, filtered by class and status", async ({ expect }) => {
    await failTool(a, "search", "TimeoutError");
    const id = newExecutionId();
    const ev = eventFactory(id);
    await ingest(a.ingest_key, [ev("execution_finished", { status: "crashed", error: { type: "MemoryError" } })]);
    await flushExecution(a.project_id, id);
    const all = await listGroups(a);
    expect(all.map((g) => g.failure_class).sort()).toEqual(["crash", "tool_failure"]);
    const tool = (await listGroups(a, "?failure_class=tool_failure"))[0]!;
    expect(tool).toMatchObject({ failure_class: "tool_failure", signature: "search:TimeoutError", status: "open", severity: "medium", occurrences: 1, executions: 1, category: "code" });
    expect(tool.first_seen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await listGroups(a, "?status=resolved")).toEqual([]);
    expect((await getJson("/v1/groups?failure_class=not_a_class", a.read_key)).status).toBe(400);
  });

  it("pages through groups with a cursor, without gaps or repeats", async ({ expect }) => {
    const p = await createProject("paging");
    for (let i = 0; i < 7; i++) await failTool(p, `tool_${i}`, "Boom");
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { groups: GroupOut[]; next_cursor: string | null } } = await getJson(`/v1/groups?limit=3${cursor ? `&cursor=${cursor}` : ""}`, p.read_key);
      seen.push(...res.body.groups.map((g) => g.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    expect((await getJson("/v1/groups?cursor=garbage!", p.read_key)).status).toBe(400);
  });

  it("shows a group with its signature-specific playbook and recent executions", async ({ expect }) => {
    const exec = await failTool(a, "crm_lookup", "Unauthorized");
    const group = (await listGroups(a, "?failure_class=tool_failure")).find((g) => g.signature === "crm_lookup:Unauthorized")!;
    const { status, body } = await getJson<{ group: GroupOut; playbook: { id: string; markdown: string }; recent_executions: { execution_id: string; status: string; name: string }[] }>(
      `/v1/groups/${group.id}`,
      a.read_key,
    );
    expect(status).toBe(200);
    expect(body.group.id).toBe(group.id);
    expect(body.playbook.id).toBe("tool_failure/auth");
    expect(body.playbook.markdown).toContain("## Try first");
    expect(body.recent_executions).toEqual([expect.objectContaining({ execution_id: exec, status: "running", name: "reader" })]);
  });

  it("serves playbooks by class, signature-specific when one matches, else the default", async ({ expect }) => {
    const specific = await getJson<{ playbook_id: string; specific: boolean; category: string }>("/v1/playbooks/tool_failure?signature=search:TimeoutError", a.read_key);
    expect(specific.body).toMatchObject({ playbook_id: "tool_failure/timeout", specific: true, category: "code" });
    const fallback = await getJson<{ playbook_id: string; specific: boolean }>("/v1/playbooks/tool_failure?signature=search:WeirdError", a.read_key);
    expect(fallback.body).toMatchObject({ playbook_id: "tool_failure/default", specific: false });
    expect((await getJson("/v1/playbooks/not_a_class", a.read_key)).status).toBe(404);
  });

  it("shows an execution with its events in time order, paged, and its findings", async ({ expect }) => {
    const id = newExecutionId();
    const start = Date.UTC(2026, 10, 3);
    await ingest(a.ingest_key, [
      { id: "late", execution_id: id, type: "checkpoint", state: { n: 2 }, timestamp: start + 2000 },
      { id: "early", execution_id: id, type: "checkpoint", state: { n: 1 }, timestamp: new Date(start + 1000).toISOString() },
      { id: "tool", execution_id: id, type: "tool_call", tool: "x", status: "failed", timestamp: start + 3000 },
    ]);
    const page1 = await getJson<{ events: { id: string; timestamp: string }[]; next_cursor: string; findings: { failure_class: string; group_id: string }[]; summary: { status: string; findings: number } }>(
      `/v1/executions/${id}?limit=2`,
      a.read_key,
    );
    expect(page1.body.events.map((e) => e.id)).toEqual(["early", "late"]);
    expect(page1.body.events[0]?.timestamp).toBe(new Date(start + 1000).toISOString());
    expect(page1.body.findings.map((f) => f.failure_class)).toEqual(["tool_failure"]);
    expect(page1.body.summary).toMatchObject({ status: "running", findings: 1 });
    const page2 = await getJson<{ events: { id: string }[]; next_cursor: string | null }>(`/v1/executions/${id}?limit=2&cursor=${page1.body.next_cursor}`, a.read_key);
    expect(page2.body.events.map((e) => e.id)).toEqual(["tool"]);
    expect(page2.body.next_cursor).toBeNull();
    expect((await getJson(`/v1/executions/never-seen`, a.read_key)).status).toBe(404);
  });

  it("never shows one project's data to another", async ({ expect }) => {
    const exec = await failTool(a, "secret_tool", "Nope");
    const group = (await listGroups(a, "?failure_class=tool_failure")).find((g) => g.signature === "secret_tool:Nope")!;
    expect((await listGroups(b)).some((g) => g.id === group.id || g.signature === "secret_tool:Nope")).toBe(false);
    expect((await getJson(`/v1/groups/${group.id}`, b.read_key)).status).toBe(404);
    expect((await getJson(`/v1/executions/${exec}`, b.read_key)).status).toBe(404);
    // The same execution id in B is B's own execution, not A's.
    await ingest(b.ingest_key, [{ id: "b1", execution_id: exec, type: "checkpoint", state: { mine: "b" } }]);
    const mine = await getJson<{ events: { id: string }[] }>(`/v1/executions/${exec}`, b.read_key);
    expect(mine.body.events.map((e) => e.id)).toEqual(["b1"]);
  });

  it("rejects ingest keys on reads, and lets the admin token read any project by project_id", async ({ expect }) => {
    expect((await getJson("/v1/groups", a.ingest_key)).status).toBe(403);
    expect((await getJson("/v1/groups", "vk_read_unknownunknownunknown")).status).toBe(401);
    expect((await getJson("/v1/groups", ADMIN)).status).toBe(400);
    const admin = await getJson<{ groups: GroupOut[] }>(`/v1/groups?project_id=${a.project_id}`, ADMIN);
    expect(admin.status).toBe(200);
    expect(admin.body.groups.length).toBeGreaterThan(0);
  });
});

describe("POST /v1/admin/projects", () => {
  it("creates a project whose keys are stored only as hashes and shown once", async ({ expect }) => {
    const p = await createProject("hashed");
    expect(p.ingest_key).toMatch(/^vk_ingest_[a-z2-7]{32}$/);
    expect(p.read_key).toMatch(/^vk_read_[a-z2-7]{32}$/);
    const rows = await env.DB.prepare("SELECT key_hash, scope FROM api_keys WHERE project_id = ?").bind(p.project_id).all<{ key_hash: string; scope: string }>();
    expect(rows.results.map((r) => r.scope).sort()).toEqual(["admin", "ingest", "read"]);
    for (const r of rows.results) {
      expect(r.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect([p.ingest_key, p.read_key, p.admin_key]).not.toContain(r.key_hash);
    }
  });

  it("needs the admin token and a name", async ({ expect }) => {
    const p = await createProject("not admin");
    const { call } = await import("../../test/helpers.ts");
    const post = (key: string | undefined, body: string) => call("/v1/admin/projects", { method: "POST", ...(key ? { key } : {}), headers: { "content-type": "application/json" }, body });
    expect((await post(undefined, '{"name":"x"}')).status).toBe(401);
    expect((await post(p.read_key, '{"name":"x"}')).status).toBe(403);
    expect((await post(ADMIN, '{"name":""}')).status).toBe(400);
    expect((await post(ADMIN, "nope")).status).toBe(400);
  });
});
