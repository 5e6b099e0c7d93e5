// GET /v1/session: the dashboard's sign-in learns the project and whether the credential may
// triage: read keys read only, project admin keys and the admin token (with project_id) triage;
// ingest keys and unknown keys cannot sign in.
import { describe, it } from "vitest";
import { ADMIN, createProject, getJson } from "../../test/helpers.ts";

describe("GET /v1/session", () => {
  it("names the project and the credential's powers", async ({ expect }) => {
    const p = await createProject("session");
    expect((await getJson("/v1/session", p.read_key)).body).toEqual({ project_id: p.project_id, scope: "read", credential: "key", can_triage: false });
    expect((await getJson("/v1/session", p.admin_key)).body).toEqual({ project_id: p.project_id, scope: "admin", credential: "key", can_triage: true });
    expect((await getJson(`/v1/session?project_id=${p.project_id}`, ADMIN)).body).toEqual({ project_id: p.project_id, scope: "admin", credential: "admin_token", can_triage: true });
    expect((await getJson("/v1/session", ADMIN)).status).toBe(400);
    expect((await getJson("/v1/session?project_id=nope", ADMIN)).status).toBe(404);
    expect((await getJson("/v1/session", p.ingest_key)).status).toBe(403);
    expect((await getJson("/v1/session", "vk_read_unknownunknownunknown")).status).toBe(401);
  });
});
