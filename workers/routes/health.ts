// GET /health: no auth; 200 once the instance can take events (D1 answers).
import type { App } from "../app-env.ts";
import { ApiError } from "../errors.ts";

export function registerHealth(app: App): void {
  app.get("/health", async (c) => {
    try {
      await c.env.DB.prepare("SELECT 1").first();
    } catch {
      throw new ApiError("unavailable", "The database is not reachable yet.", { retryAfter: 1 });
    }
    return c.json({ status: "ok", service: "vigil", api: "v1" });
  });
}
