// POST /v1/executions/{id}/halt: a person halts a running execution; the agent gets the directive
// with its next batch; finished, unknown and finding-less runs are refused; admin keys only.
import { describe, it } from "vitest";
import { at, createProject, ingest, postJson } from "../../test/helpers.ts";

describe("POST /v1/executions/{id}/halt", () => {
  it("halts a running execution; the next batch carries the directive", async ({ expect }) => {
    const p = await createProject();
    await ingest(p.ingest_key, [
      at(Date.now(), "run", "execution_started"),
      at(Date.now() + 1, "run", "tool_call", { tool: "pay", status: "failed", error: { type: "Declined" } }),
    ]);
    const res = await postJson("/v1/executions/run/halt", p.admin_key, { actor: "ops@acme.test", reason: "charging the wrong card" });
    expect(res.status).toBe(200);
    const directive = (res.body as { directive: { failure_class: string; signature: string } }).directive;
    expect(directive).toMatchObject({ execution_id: "run", action: "halt", failure_class: "tool_failure", signature: "pay:Declined" });
    const next = await ingest(p.ingest_key, [at(Date.now() + 2, "run", "tool_call", { tool: "pay", status: "ok" })]);
    expect(next.body.directives).toEqual([res.body.directive]);
  });

  it("refuses unknown, finished and finding-less runs, and non-admin keys", async ({ expect }) => {
    const p = await createProject();
    await ingest(p.ingest_key, [at(Date.now(), "quiet", "execution_started"), at(Date.now(), "done", "execution_finished", { status: "completed" })]);
    expect((await postJson("/v1/executions/nobody/halt", p.admin_key, {})).status).toBe(404);
    expect((await postJson("/v1/executions/quiet/halt", p.admin_key, {})).status).toBe(409);
    expect((await postJson("/v1/executions/done/halt", p.admin_key, {})).status).toBe(409);
    expect((await postJson("/v1/executions/quiet/halt", p.read_key, {})).status).toBe(403);
  });
});
