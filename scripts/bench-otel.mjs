// npm run bench:otel — what the OpenTelemetry path costs the Worker per event, beside native ingest,
// for the same executions. The spans come from the official OpenTelemetry JS SDK and are serialised
// by its official OTLP serializers (protobuf and JSON); the native bodies carry exactly the events
// those spans map to, as a native client would have sent them. Measured: the Worker's own CPU work
// on a request body up to the hand-off to the execution objects (parse or decode, map, validate,
// redact), which is the only part that differs between the two routes; storage and detection after
// it are the same code for both. Target (the OTLP issue): OTLP <= 1.5x native per event.
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { prepareEvents } from "../workers/ingest/prepare-events.ts";
import { decodeJson } from "../workers/otel/decode-json.ts";
import { decodeProtobuf } from "../workers/otel/decode-protobuf.ts";
import { mapSpans } from "../workers/otel/map-spans.ts";

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 200);
const SPANS_PER_REQUEST = 100; // a typical OTLP batch (the SDK's default is up to 512)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One agent run: a root agent span, 8 model calls with a growing conversation, 8 tool calls. */
function runAgent(tracer, n) {
  const root = tracer.startSpan("invoke_agent support", { attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support" } });
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  const conversation = [{ role: "system", parts: [{ type: "text", content: "You are a helpful airline support agent. Follow the policy strictly." }] }];
  for (let step = 0; step < 8; step++) {
    conversation.push({ role: "user", parts: [{ type: "text", content: `Customer ${n} asks about booking ${step}: can I change my flight to the next morning and keep my seat class?` }] });
    const llm = tracer.startSpan("chat gpt-4o", {
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 900 + step * 120,
        "gen_ai.usage.output_tokens": 80,
        "gen_ai.input.messages": JSON.stringify(conversation),
        "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "Let me look that up for you." }] }]),
      },
    }, ctx);
    llm.end();
    const tool = tracer.startSpan("execute_tool get_reservation", {
      attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_reservation", "gen_ai.tool.call.arguments": JSON.stringify({ reservation_id: `R${n}-${step}` }), "gen_ai.tool.call.result": JSON.stringify({ status: "confirmed", cabin: "economy", flights: ["HAT001", "HAT002"] }) },
    }, ctx);
    tool.end();
  }
  root.end();
}

const memory = new InMemorySpanExporter();
const provider = new TracerProvider({ resource: resourceFromAttributes({ "service.name": "bench-agent" }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
const tracer = provider.getTracer("bench", "1.0.0");
for (let n = 0; n < EXECUTIONS; n++) runAgent(tracer, n);
await provider.forceFlush();
const spans = memory.getFinishedSpans();

const requests = [];
for (let i = 0; i < spans.length; i += SPANS_PER_REQUEST) {
  const chunk = spans.slice(i, i + SPANS_PER_REQUEST);
  const protobuf = ProtobufTraceSerializer.serializeRequest(chunk);
  const json = JsonTraceSerializer.serializeRequest(chunk);
  const events = mapSpans(decodeProtobuf(protobuf).spans, { fitEvents: false }).events;
  requests.push({ protobuf, json, native: encoder.encode(JSON.stringify({ events })), events: events.length });
}
const totalEvents = requests.reduce((a, r) => a + r.events, 0);

const paths = {
  native: (r) => {
    const body = JSON.parse(decoder.decode(r.native));
    return prepareEvents(body.events, r.native.byteLength);
  },
  "otlp-protobuf": (r) => {
    const d = decodeProtobuf(r.protobuf);
    return prepareEvents(mapSpans(d.spans, { fitEvents: r.protobuf.byteLength > 32 * 1024 }).events, r.protobuf.byteLength);
  },
  "otlp-json": (r) => {
    const d = decodeJson(r.json);
    return prepareEvents(mapSpans(d.spans, { fitEvents: r.json.byteLength > 32 * 1024 }).events, r.json.byteLength);
  },
};

// Warm up every path (JIT), then interleave rounds so drift in machine load hits all alike.
for (const run of Object.values(paths)) for (const r of requests) run(r);
const times = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(paths)) {
    const t0 = performance.now();
    for (const r of requests) run(r);
    times[name].push((performance.now() - t0) / totalEvents);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const native = median(times.native);
const bytes = (k) => requests.reduce((a, r) => a + r[k].byteLength, 0) / totalEvents;
console.log(`${EXECUTIONS} executions, ${spans.length} spans -> ${totalEvents} events, ${requests.length} requests of ${SPANS_PER_REQUEST} spans; median of ${ROUNDS} rounds`);
console.log("| path | µs per event | x native | body bytes per event |");
console.log("|---|---|---|---|");
for (const [name, key] of [["native", "native"], ["otlp-protobuf", "protobuf"], ["otlp-json", "json"]]) {
  const m = median(times[name]);
  console.log(`| ${name} | ${(m * 1000).toFixed(2)} | ${(m / native).toFixed(2)} | ${bytes(key).toFixed(0)} |`);
}
const worst = Math.max(median(times["otlp-protobuf"]), median(times["otlp-json"])) / native;
console.log(`\nOTLP at most ${worst.toFixed(2)}x native per event: ${worst <= 1.5 ? "within" : "OVER"} the 1.5x budget`);
if (worst > 1.5) process.exitCode = 1;
