// The Hono app: request ids, the one error envelope, and every route (one file each).
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "./app-env.ts";
import type { ErrorEnvelope } from "./errors.ts";
import { ApiError } from "./errors.ts";
import { registerAdminProjects } from "./routes/admin-projects.ts";
import { registerAnalyticsFailuresGet } from "./routes/analytics-failures-get.ts";
import { registerAnalyticsLoopLatencyGet } from "./routes/analytics-loop-latency-get.ts";
import { registerDigestsList } from "./routes/digests-list.ts";
import { registerDriftBaselineCreate } from "./routes/drift-baseline-create.ts";
import { registerExecutionGet } from "./routes/execution-get.ts";
import { registerExecutionHalt } from "./routes/execution-halt.ts";
import { registerExecutionSummaryGet } from "./routes/execution-summary-get.ts";
import { registerExecutionTopologyGet } from "./routes/execution-topology-get.ts";
import { registerGroupGet } from "./routes/group-get.ts";
import { registerGroupUpdate } from "./routes/group-update.ts";
import { registerGroupsList } from "./routes/groups-list.ts";
import { registerGroupOccurrencesGet } from "./routes/group-occurrences-get.ts";
import { registerOverviewGet } from "./routes/overview-get.ts";
import { registerSessionGet } from "./routes/session-get.ts";
import { registerHealth } from "./routes/health.ts";
import { registerIngestHealthGet } from "./routes/ingest-health-get.ts";
import { registerEventsIngest } from "./routes/events-ingest.ts";
import { registerKeysCreate } from "./routes/keys-create.ts";
import { registerPlaybookGet } from "./routes/playbook-get.ts";
import { registerReleasesCreate } from "./routes/releases-create.ts";
import { registerReleasesList } from "./routes/releases-list.ts";
import { registerWebhooks } from "./routes/webhooks.ts";
import { registerTracesIngest } from "./routes/traces-ingest.ts";
import { registerSettingsDetectorsGet } from "./routes/settings-detectors-get.ts";
import { registerSettingsDetectorsPut } from "./routes/settings-detectors-put.ts";

function allowedOrigins(configured: string | undefined): string[] {
  return (configured ?? "").split(",").map((o) => o.trim()).filter(Boolean);
}

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
    await next();
    c.header("x-request-id", c.get("requestId"));
  });

  // The dashboard is a separate origin (Cloudflare Pages, or $DASHBOARD_PORT locally); keys travel
  // in the Authorization header, never cookies, so allowing its origins exposes nothing ambient.
  app.use(
    "/v1/*",
    cors({
      origin: (origin, c) => (allowedOrigins(c.env.DASHBOARD_ORIGINS).includes(origin) ? origin : null),
      allowHeaders: ["authorization", "content-type", "content-encoding"],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      exposeHeaders: ["x-request-id", "retry-after"],
      maxAge: 600,
    }),
  );

  app.onError((error, c) => {
    const requestId = c.get("requestId") ?? crypto.randomUUID();
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError("internal_error", "Something went wrong on our side; the request id helps us find it.");
    if (!(error instanceof ApiError)) {
      console.error(JSON.stringify({ message: "unhandled error", request_id: requestId, error: String(error), stack: (error as Error).stack }));
    }
    if (apiError.retryAfter !== undefined) c.header("retry-after", String(apiError.retryAfter));
    c.header("x-request-id", requestId);
    const body: ErrorEnvelope = { error: { code: apiError.code, message: apiError.message, request_id: requestId } };
    return c.json(body, apiError.status);
  });

  app.notFound(() => {
    throw new ApiError("not_found", "No such route.");
  });

  registerHealth(app);
  registerAdminProjects(app);
  registerEventsIngest(app);
  registerTracesIngest(app);
  registerGroupsList(app);
  registerGroupGet(app);
  registerExecutionGet(app);
  registerExecutionSummaryGet(app);
  registerAnalyticsFailuresGet(app);
  registerPlaybookGet(app);
  registerSettingsDetectorsGet(app);
  registerSettingsDetectorsPut(app);
  registerKeysCreate(app);
  registerExecutionTopologyGet(app);
  registerDriftBaselineCreate(app);
  registerIngestHealthGet(app);
  registerGroupUpdate(app);
  registerReleasesCreate(app);
  registerReleasesList(app);
  registerAnalyticsLoopLatencyGet(app);
  registerWebhooks(app);
  registerExecutionHalt(app);
  registerDigestsList(app);
  registerOverviewGet(app);
  registerGroupOccurrencesGet(app);
  registerSessionGet(app);
  return app;
}
