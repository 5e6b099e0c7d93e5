// Real OpenTelemetry from the official JavaScript SDK, sent to the real Worker: spans are made with
// @opentelemetry/sdk-trace and exported by the official OTLP exporters (protobuf:
// exporter-trace-otlp-proto, JSON: exporter-trace-otlp-http). Inside workerd the exporters use their
// fetch transport; the global fetch is pointed at the Worker for the duration of one export, the
// only seam, so the bytes, headers and retries are the exporters' own.
import type { Attributes as OtelAttributes, Context, Span, SpanOptions, Tracer } from "@opentelemetry/api";
import { ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { exports } from "cloudflare:workers";
import { BASE } from "../helpers.ts";

export interface TestTracer {
  tracer: Tracer;
  /** Every span ended so far, as the SDK hands them to an exporter. */
  finished(): Promise<ReadableSpan[]>;
}

export function newTracer(resource: OtelAttributes = { "service.name": "otel-test-agent" }, scope = "otel-test"): TestTracer {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  return {
    tracer: provider.getTracer(scope, "1.0.0"),
    async finished() {
      await provider.forceFlush();
      return memory.getFinishedSpans();
    },
  };
}

/** Starts a child of `parent` without a context manager (workerd has no AsyncLocalStorage one here). */
export function child(tracer: Tracer, parent: Span, name: string, options: SpanOptions = {}): Span {
  const ctx: Context = trace.setSpan(ROOT_CONTEXT, parent);
  return tracer.startSpan(name, options, ctx);
}

export function fail(span: Span, error: Error): void {
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

export interface ExportOutcome {
  /** The exporter's verdict: 0 success, 1 failed. */
  code: number;
  error?: Error;
  responses: { status: number; contentType: string | null; body: Uint8Array }[];
  requests: { contentType: string | null; contentEncoding: string | null }[];
}

/** Exports spans with the official exporter of the given encoding to POST /v1/traces of the Worker. */
export async function exportSpans(
  encoding: "protobuf" | "json",
  spans: ReadableSpan[],
  key: string,
): Promise<ExportOutcome> {
  const config = { url: `${BASE}/v1/traces`, headers: { authorization: `Bearer ${key}` } };
  const exporter = encoding === "protobuf" ? new ProtoExporter(config) : new JsonExporter(config);
  const outcome: ExportOutcome = { code: -1, responses: [], requests: [] };
  const original = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    // workerd's Request does not implement the browser-only `mode` and `keepalive` options.
    const { mode: _mode, keepalive: _keepalive, ...rest } = (init ?? {}) as RequestInit & { mode?: unknown; keepalive?: unknown };
    const request = new Request(input instanceof Request ? input.url : String(input), rest);
    outcome.requests.push({ contentType: request.headers.get("content-type"), contentEncoding: request.headers.get("content-encoding") });
    const response = await exports.default.fetch(request);
    const body = new Uint8Array(await response.clone().arrayBuffer());
    outcome.responses.push({ status: response.status, contentType: response.headers.get("content-type"), body });
    return response;
  };
  try {
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
    outcome.code = result.code;
    if (result.error) outcome.error = result.error;
  } finally {
    globalThis.fetch = original;
    await exporter.shutdown();
  }
  return outcome;
}
