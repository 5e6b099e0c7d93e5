// GET/PUT /v1/settings/detectors and POST /v1/keys: validated settings that every detector uses at
// once, without redeploy; only admin keys (or the admin token) may change them.
import { describe, it } from "vitest";
import { ADMIN, call, createProject, eventFactory, findingsAfter, getJson, llmCall, newExecutionId, ofClass } from "../../test/helpers.ts";

function put(key: string, body: unknown, query = "") {
  return call(`/v1/settings/detectors${query}`, { method: "PUT", key, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("detector settings", () => {
  it("shows defaults, accepts a valid override and applies it to the next batch", async ({ expect }) => {
    const p = await createProject();
    const before = await getJson<{ settings: { identical_call_loop: { max_repeats: number } } }>("/v1/settings/detectors", p.read_key);
    expect(before.body.settings.identical_call_loop.max_repeats).toBe(3);
    const messages = [{ role: "user", content: "again" }];
    const id = newExecutionId();
    const ev = eventFactory(id);
    expect(ofClass(await findingsAfter(p, id, [ev("llm_call", llmCall({ messages })), ev("llm_call", llmCall({ messages }))]), "identical_call_loop")).toEqual([]);
    const res = await put(p.admin_key, { identical_call_loop: { max_repeats: 1 }, halt_on: ["identical_call_loop"] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { settings: { identical_call_loop: { max_repeats: number; window: number } } }).settings.identical_call_loop).toEqual({ max_repeats: 1, window: 200 });
    const fired = ofClass(await findingsAfter(p, id, [ev("llm_call", llmCall({ messages }))]), "identical_call_loop");
    expect(fired.length).toBe(1);
    const after = await getJson<{ overrides: unknown }>("/v1/settings/detectors", p.read_key);
    expect(after.body.overrides).toEqual({ identical_call_loop: { max_repeats: 1 }, halt_on: ["identical_call_loop"] });
  });

  it("rejects invalid settings with 422 naming the field, and keeps the old ones", async ({ expect }) => {
    const p = await createProject();
    const bad = await put(p.admin_key, { identical_call_loop: { max_repeats: -4 } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "unprocessable", message: expect.stringContaining("identical_call_loop.max_repeats") });
    const unknown = await put(p.admin_key, { made_up: 1 });
    expect(unknown.status).toBe(422);
    expect((await put(p.admin_key, { halt_on: ["not_a_class"] })).status).toBe(422);
    const current = await getJson<{ overrides: unknown }>("/v1/settings/detectors", p.read_key);
    expect(current.body.overrides).toEqual({});
  });

  it("lets only admin keys and the admin token change settings", async ({ expect }) => {
    const p = await createProject();
    expect((await put(p.read_key, {})).status).toBe(403);
    expect((await put(p.ingest_key, {})).status).toBe(403);
    expect((await put(ADMIN, { token_waste: { min_repeats: 4 } }, `?project_id=${p.project_id}`)).status).toBe(200);
    const other = await createProject();
    // A project admin key acts on its own project only.
    expect((await put(other.admin_key, { token_waste: { min_repeats: 9 } }, `?project_id=${p.project_id}`)).status).toBe(200);
    const mine = await getJson<{ settings: { token_waste: { min_repeats: number } } }>("/v1/settings/detectors", p.read_key);
    expect(mine.body.settings.token_waste.min_repeats).toBe(4);
  });

  it("creates keys of a scope for the caller's project, shown once", async ({ expect }) => {
    const p = await createProject();
    const res = await call("/v1/keys", { method: "POST", key: p.admin_key, headers: { "content-type": "application/json" }, body: JSON.stringify({ scope: "read" }) });
    expect(res.status).toBe(201);
    const { key } = (await res.json()) as { key: string };
    expect((await getJson("/v1/groups", key)).status).toBe(200);
    const denied = await call("/v1/keys", { method: "POST", key: p.read_key, headers: { "content-type": "application/json" }, body: JSON.stringify({ scope: "admin" }) });
    expect(denied.status).toBe(403);
  });
});
