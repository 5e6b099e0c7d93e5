// provider_incident: two tenants hitting the same provider-side error within 15 minutes fire; one
// tenant, a gap longer than the window, client-side errors, or another project's tenants do not.
import { describe, it } from "vitest";
import { MINUTE, T0, at, createProject, listGroups, llmCall, sendAll } from "../../../test/helpers.ts";

const failing = (ts: number, tenant: string | undefined, fields: Record<string, unknown> = {}) =>
  at(ts, `run-${crypto.randomUUID().slice(0, 8)}`, "llm_call", {
    ...llmCall({ provider: "OpenAI", status: "error", error: { class: "service_unavailable", http_status: 503 }, ...fields }),
    ...(tenant ? { tenant_id: tenant } : {}),
  });

describe("provider incident detector", () => {
  it("fires when a second tenant sees the same error within 15 minutes, once more per further tenant", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [failing(T0, "acme"), failing(T0 + MINUTE, "acme"), failing(T0 + 14 * MINUTE, "globex")]);
    let groups = await listGroups(p, "?failure_class=provider_incident");
    expect(groups.map((g) => [g.signature, g.occurrences])).toEqual([["openai:service_unavailable", 1]]);
    await sendAll(p, [failing(T0 + 15 * MINUTE, "initech")]);
    groups = await listGroups(p, "?failure_class=provider_incident");
    expect(groups.map((g) => [g.signature, g.occurrences, g.executions])).toEqual([["openai:service_unavailable", 2, 2]]);
  });

  it("does not fire for one tenant, for tenants further apart than the window, or for client-side errors", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [
      failing(T0, "acme"),
      failing(T0 + MINUTE, "acme"),
      failing(T0 + 16 * MINUTE, "globex"),
      failing(T0, "x", { error: { class: "invalid_api_key" } }),
      failing(T0, "y", { error: { class: "invalid_api_key" } }),
    ]);
    expect(await listGroups(p, "?failure_class=provider_incident")).toEqual([]);
  });

  it("never counts another project's tenants", async ({ expect }) => {
    const a = await createProject("A");
    const b = await createProject("B");
    await sendAll(a, [failing(T0, "acme")]);
    await sendAll(b, [failing(T0 + MINUTE, "globex")]);
    expect(await listGroups(a, "?failure_class=provider_incident")).toEqual([]);
    expect(await listGroups(b, "?failure_class=provider_incident")).toEqual([]);
  });

  it("counts a replayed batch once", async ({ expect }) => {
    const p = await createProject();
    const batch = [failing(T0, "acme")];
    await sendAll(p, batch);
    await sendAll(p, batch);
    expect(await listGroups(p, "?failure_class=provider_incident")).toEqual([]);
  });

  it("completes an incident whatever order the errors arrive in (newest first)", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [failing(T0 + 2 * MINUTE, "initech")]);
    await sendAll(p, [failing(T0 + MINUTE, "globex")]);
    await sendAll(p, [failing(T0, "acme")]);
    const groups = await listGroups(p, "?failure_class=provider_incident");
    expect(groups.map((g) => g.signature)).toEqual(["openai:service_unavailable"]);
  });
});
