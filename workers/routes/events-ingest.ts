// POST /v1/events: native ingest (spec section 4). 200 when every event was accepted or a
// duplicate, 207 when any was rejected; a 2xx answer means the events are stored durably.
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { customRulesFor } from "../ingest/content-scan.ts";
import { dispatchBatch } from "../ingest/dispatch.ts";
import { MAX_EVENTS_PER_REQUEST, prepareEvents } from "../ingest/prepare-events.ts";
import { readBody } from "../ingest/read-body.ts";
import { handOffToProject } from "../ingest/project-handoff.ts";

const decoder = new TextDecoder();

export function registerEventsIngest(app: App): void {
  app.post("/v1/events", async (c) => {
    const caller = await requireProject(c, ["ingest"]);
    const { bytes } = await readBody(c.req.raw, { mediaTypes: ["application/json"] });
    let body: unknown;
    try {
      body = JSON.parse(decoder.decode(bytes));
    } catch {
      throw new ApiError("invalid_json", "The body is not valid JSON.");
    }
    const events = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as { events?: unknown }).events : undefined;
    if (!Array.isArray(events)) throw new ApiError("invalid_body", "The body must be a JSON object with an \"events\" array.");
    if (events.length > MAX_EVENTS_PER_REQUEST) {
      throw new ApiError("too_many_events", `At most ${MAX_EVENTS_PER_REQUEST} events per request; this one has ${events.length}.`);
    }
    const batch = prepareEvents(events, bytes.byteLength, { customRules: customRulesFor(caller.settings) });
    const outcome = await dispatchBatch(c.env, caller.projectId, caller.settings, batch);
    c.executionCtx.waitUntil(handOffToProject(c.env, caller.projectId, outcome, 0));
    return c.json(
      {
        accepted: outcome.accepted,
        duplicates: outcome.duplicates,
        rejected: outcome.rejected,
        directives: outcome.directives,
      },
      outcome.rejected.length > 0 ? 207 : 200,
    );
  });
}
