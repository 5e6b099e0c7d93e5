// GET /health: no auth, 200 with status ok once D1 answers; unknown routes use the error envelope.
import { describe, it } from "vitest";
import { call } from "../../test/helpers.ts";

describe("GET /health", () => {
  it("answers ok without auth", async ({ expect }) => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
  });

  it("answers unknown routes with the error envelope", async ({ expect }) => {
    const res = await call("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No such route.", request_id: expect.any(String) } });
  });
});
