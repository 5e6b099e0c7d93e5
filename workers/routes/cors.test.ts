// CORS: the dashboard's origins may call the API from a browser; other origins get no grant.
import { describe, it } from "vitest";
import { call } from "../../test/helpers.ts";

describe("CORS for the dashboard", () => {
  it("answers a preflight from an allowed origin and ignores others", async ({ expect }) => {
    const preflight = (origin: string) =>
      call("/v1/groups", { method: "OPTIONS", headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" } });
    const ok = await preflight("http://127.0.0.1:8788");
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:8788");
    expect(ok.headers.get("access-control-allow-headers")).toContain("authorization");
    const evil = await preflight("https://evil.example");
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
  });
});
