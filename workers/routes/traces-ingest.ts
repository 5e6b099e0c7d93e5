// POST /v1/traces: OpenTelemetry ingest (spec section 7). OTLP/HTTP in protobuf or JSON, mapped span
// by span to the events of spec 4.2 and then handled exactly like native ingest. Answers follow
// OTLP: 200 with an ExportTraceServiceResponse (partialSuccess for rejected spans), 400 only for an
// undecodable body, 429/503 with Retry-After for anything transient, never 500.
import type { Context } from "hono";
import type { App, AppEnv } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { customRulesFor } from "../ingest/content-scan.ts";
import { dispatchBatch } from "../ingest/dispatch.ts";
import { handOffToProject } from "../ingest/project-handoff.ts";
import type { Rejection } from "../ingest/prepare-events.ts";
import { MAX_EVENTS_PER_REQUEST, prepareEvents } from "../ingest/prepare-events.ts";
import { readBody } from "../ingest/read-body.ts";
import { decodeJson } from "../otel/decode-json.ts";
import { decodeProtobuf } from "../otel/decode-protobuf.ts";
import { mapSpans } from "../otel/map-spans.ts";
import type { OtlpEncoding } from "../otel/otlp-response.ts";
import { JSON_TYPE, PROTOBUF, errorBody, successBody } from "../otel/otlp-response.ts";
import type { DecodedTraces } from "../otel/span.ts";
import { UndecodableBody } from "../otel/span.ts";

/** Bodies above this may hold events near the 64 KiB limit: only then are events measured and trimmed. */
const FIT_ABOVE_BYTES = 32 * 1024;
const MAX_REASONS_IN_MESSAGE = 5;

function encodingOf(c: Context<AppEnv>): OtlpEncoding {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase() === PROTOBUF ? "protobuf" : "json";
}

async function ingestTraces(c: Context<AppEnv>): Promise<Response> {
  const caller = await requireProject(c, ["ingest"]);
  const { bytes, mediaType } = await readBody(c.req.raw, { mediaTypes: [PROTOBUF, JSON_TYPE] });
  let decoded: DecodedTraces;
  try {
    decoded = mediaType === PROTOBUF ? decodeProtobuf(bytes) : decodeJson(bytes);
  } catch (error) {
    if (error instanceof UndecodableBody) throw new ApiError("invalid_body", error.message);
    throw error;
  }
  const spanCount = decoded.spans.length + decoded.malformed.length;
  if (spanCount > MAX_EVENTS_PER_REQUEST) {
    throw new ApiError("too_many_events", `At most ${MAX_EVENTS_PER_REQUEST} spans per request; this one has ${spanCount}. Lower OTEL_BSP_MAX_EXPORT_BATCH_SIZE.`);
  }

  const mapped = mapSpans(decoded.spans, { fitEvents: bytes.byteLength > FIT_ABOVE_BYTES });
  const batch = prepareEvents(mapped.events, bytes.byteLength, { customRules: customRulesFor(caller.settings) });
  const outcome = await dispatchBatch(c.env, caller.projectId, caller.settings, batch);

  // partialSuccess counts spans, not events: a span is rejected when it could not be read or when
  // any event made from it was rejected by validation.
  const reasons = new Map<number, string>();
  const healthRejections: Rejection[] = [...outcome.rejected];
  for (const m of decoded.malformed) {
    reasons.set(m.index, `span ${m.spanId ?? `#${m.index}`}: ${m.reason}`);
    healthRejections.push({ index: m.index, id: m.spanId ? `otel:${m.spanId}` : null, code: "invalid_event", message: m.reason, path: `spans[${m.index}]` });
  }
  for (const r of outcome.rejected) {
    const spanIndex = mapped.sources[r.index]!;
    if (reasons.has(spanIndex)) continue;
    const event = mapped.events[r.index]!;
    reasons.set(spanIndex, `span ${event.id.slice(5, 21)} as ${event.type}: ${r.message}`);
  }
  if (spanCount > 0) {
    c.executionCtx.waitUntil(handOffToProject(c.env, caller.projectId, { ...outcome, rejected: healthRejections }, mapped.ignored));
  }
  const shown = [...reasons.values()].slice(0, MAX_REASONS_IN_MESSAGE);
  const message =
    reasons.size === 0 ? "" : `${reasons.size} span(s) rejected: ${shown.join("; ")}${reasons.size > shown.length ? "; ..." : ""}`;
  const { body, contentType } = successBody(mediaType === PROTOBUF ? "protobuf" : "json", reasons.size, message);
  return c.body(body, 200, { "content-type": contentType });
}

export function registerTracesIngest(app: App): void {
  app.post("/v1/traces", async (c) => {
    const encoding = encodingOf(c);
    try {
      return await ingestTraces(c);
    } catch (error) {
      let apiError: ApiError;
      if (error instanceof ApiError) {
        apiError = error;
      } else {
        // Exporters drop data on 500 but retry 503; an unexpected fault here (a D1 or object hiccup
        // outside the paths that already say 503) is more likely transient than permanent.
        console.error(JSON.stringify({ message: "unexpected error in OTLP ingest", request_id: c.get("requestId"), error: String(error), stack: (error as Error).stack }));
        apiError = new ApiError("unavailable", "Vigil could not take this export right now; retry it.", { retryAfter: 1 });
      }
      const { body, contentType } = errorBody(encoding, apiError.status, apiError.code, apiError.message, c.get("requestId"));
      const headers: Record<string, string> = { "content-type": contentType };
      if (apiError.retryAfter !== undefined) headers["retry-after"] = String(apiError.retryAfter);
      return c.body(body, apiError.status, headers);
    }
  });
}
