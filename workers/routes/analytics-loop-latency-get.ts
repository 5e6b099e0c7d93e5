// GET /v1/analytics/loop-latency: time from "failure observed" to "fix shipped", p50 and p90 over
// the last 7 and 30 days, overall, per failure class and per triage category.
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { loopLatency } from "../triage/fix-loops.ts";

export function registerAnalyticsLoopLatencyGet(app: App): void {
  app.get("/v1/analytics/loop-latency", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const [week, month] = await Promise.all([loopLatency(c.env.DB, caller.projectId, 7), loopLatency(c.env.DB, caller.projectId, 30)]);
    return c.json({ windows: { "7d": week, "30d": month } });
  });
}
