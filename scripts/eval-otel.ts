// npm run eval:otel — the OpenTelemetry mapping report. Replays every trace of
// ../shared/corpora/langfuse-framework-traces (20 frameworks) as OTLP/JSON and as OTLP/protobuf
// through the Worker's own decoders, dialect mappers and event validation (prepareEvents), and
// compares the events with Langfuse's own reading of the same spans: observation types, model
// names, token counts. Then checks the attribute fixtures of ../shared/corpora/otel-genai-fixtures
// field by field. `--write` puts the tables into docs/otel-mapping.md between its markers.
//
// Runs on Node 22 (npm run puts node@22 first), importing the Worker's modules directly.
import { decodeJson } from "../workers/otel/decode-json.ts";
import { decodeProtobuf } from "../workers/otel/decode-protobuf.ts";
import type { MappedEvent } from "../workers/otel/map-spans.ts";
import { classify, mapSpans } from "../workers/otel/map-spans.ts";
import { prepareEvents } from "../workers/ingest/prepare-events.ts";
import type { LangfuseTrace, ReplayedObservation } from "../test/otel/replay.ts";
import { frameworkOf, hasTokenAttributes, replayTrace, toProtobuf } from "../test/otel/replay.ts";

// Node's APIs through a typed dynamic import: the repository's tsconfig targets workerd and has no
// Node typings, and this script needs only these few calls.
interface NodeFs {
  readdirSync(path: string): string[];
  readFileSync(path: string, encoding: "utf8"): string;
  writeFileSync(path: string, text: string): void;
}
const fs = (await import("node:" + "fs")) as NodeFs;
const proc = (globalThis as unknown as { process: { argv: string[]; exitCode?: number; cwd(): string } }).process;

const root = `${proc.cwd()}/`; // npm run starts scripts at the repository root
const corpus = `${root}../shared/corpora/langfuse-framework-traces/`;
const fixtures = `${root}../shared/corpora/otel-genai-fixtures/`;
const encoder = new TextEncoder();

interface Row {
  framework: string;
  observations: number;
  original: number;
  llm: [number, number];
  tool: [number, number];
  agent: [number, number];
  otherMapped: number;
  ignored: number;
  rejected: number;
  model: [number, number];
  modelExact: [number, number];
  tokens: [number, number];
  /** Agreement over spans whose attributes are the instrumentation's own (not rebuilt). */
  modelOriginal: [number, number];
  tokensOriginal: [number, number];
  tokensNotInSource: number;
  reconstructedLlm: number;
  /** GENERATION spans that aggregate a multi-step run, mapped as the run rather than one more call. */
  aggregates: number;
  encodingsAgree: boolean;
  misses: string[];
}

/**
 * Same model up to a dated snapshot suffix: Langfuse kept the requested name for some SDKs and the
 * served snapshot for others ("gpt-4o" / "gpt-4o-2024-08-06"); Vigil always keeps the requested one.
 */
function sameModel(a: string, b: string): boolean {
  const bare = (m: string) => m.toLowerCase().replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, "");
  return bare(a) === bare(b);
}

const pct = ([ok, n]: [number, number]) => (n === 0 ? "n/a" : `${ok}/${n}`);

function evalFile(name: string): Row {
  const file = JSON.parse(fs.readFileSync(corpus + name, "utf8")) as LangfuseTrace;
  const replay = replayTrace(file);
  const jsonBytes = encoder.encode(JSON.stringify(replay.request));
  const decoded = decodeJson(jsonBytes);
  const mapped = mapSpans(decoded.spans, { fitEvents: jsonBytes.byteLength > 32 * 1024 });
  const prepared = prepareEvents(mapped.events, jsonBytes.byteLength);

  const pbDecoded = decodeProtobuf(toProtobuf(replay.request));
  const pbMapped = mapSpans(pbDecoded.spans, { fitEvents: jsonBytes.byteLength > 32 * 1024 });
  const encodingsAgree = JSON.stringify(pbMapped.events) === JSON.stringify(mapped.events) && pbDecoded.malformed.length === decoded.malformed.length;

  const rejectedIds = new Set(prepared.rejected.map((r) => mapped.events[r.index]!.id));
  const bySpan = new Map<string, MappedEvent[]>();
  for (const e of mapped.events) {
    if (rejectedIds.has(e.id)) continue;
    const spanId = e.id.slice(5, 21);
    const list = bySpan.get(spanId);
    if (list) list.push(e);
    else bySpan.set(spanId, [e]);
  }
  const spanById = new Map(decoded.spans.map((s) => [s.spanId, s]));

  const row: Row = {
    framework: frameworkOf(name) + (name.startsWith("pydantic-ai-tools") ? ` (${name.slice(18, 28)})` : ""),
    observations: replay.observations.length,
    original: replay.observations.filter((o) => o.original).length,
    llm: [0, 0],
    tool: [0, 0],
    agent: [0, 0],
    otherMapped: 0,
    ignored: mapped.ignored,
    rejected: prepared.rejected.length + decoded.malformed.length,
    model: [0, 0],
    modelExact: [0, 0],
    tokens: [0, 0],
    modelOriginal: [0, 0],
    tokensOriginal: [0, 0],
    tokensNotInSource: 0,
    reconstructedLlm: 0,
    aggregates: 0,
    encodingsAgree,
    misses: [],
  };
  const check = (o: ReplayedObservation) => {
    const events = bySpan.get(o.spanId) ?? [];
    const type = o.observation.type;
    const span = spanById.get(o.spanId);
    if (type === "GENERATION" && span && classify(span).role === "agent") {
      // Vercel's ai.generateText wraps the step loop whose provider calls are their own spans.
      row.aggregates++;
      row.misses.push(`GENERATION "${o.observation.name}" read as an agent run (its provider calls are the LLM spans)`);
      return;
    }
    if (type === "GENERATION") {
      row.llm[1]++;
      const llm = events.find((e) => e.type === "llm_call");
      if (!llm) {
        row.misses.push(`GENERATION "${o.observation.name}" -> ${events.map((e) => e.type).join("+") || "ignored"}`);
        return;
      }
      row.llm[0]++;
      if (!o.original) row.reconstructedLlm++;
      if (o.observation.model) {
        row.model[1]++;
        row.modelExact[1]++;
        if (llm.model === o.observation.model) row.modelExact[0]++;
        if (sameModel(String(llm.model), o.observation.model)) row.model[0]++;
        if (o.original) {
          row.modelOriginal[1]++;
          if (sameModel(String(llm.model), o.observation.model)) row.modelOriginal[0]++;
        }
        if (llm.model !== o.observation.model) row.misses.push(`model "${String(llm.model)}" vs "${o.observation.model}"${sameModel(String(llm.model), o.observation.model) ? " (same model, dated snapshot)" : ""}`);
      }
      const usage = o.observation.usageDetails ?? {};
      if (usage.input !== undefined || usage.output !== undefined) {
        if (o.original && !hasTokenAttributes(o.attributes)) {
          row.tokensNotInSource++;
          return;
        }
        row.tokens[1]++;
        const same = (usage.input === undefined || llm.input_tokens === usage.input) && (usage.output === undefined || llm.output_tokens === usage.output);
        if (same) row.tokens[0]++;
        if (o.original) {
          row.tokensOriginal[1]++;
          if (same) row.tokensOriginal[0]++;
        }
        else row.misses.push(`tokens ${String(llm.input_tokens)}/${String(llm.output_tokens)} vs ${usage.input}/${usage.output} on "${o.observation.name}"`);
      }
    } else if (type === "TOOL") {
      row.tool[1]++;
      if (events.some((e) => e.type === "tool_call")) row.tool[0]++;
      else row.misses.push(`TOOL "${o.observation.name}" -> ${events.map((e) => e.type).join("+") || "ignored"}`);
    } else if (type === "AGENT") {
      row.agent[1]++;
      if (span && classify(span).role === "agent") row.agent[0]++;
      else row.misses.push(`AGENT "${o.observation.name}" not recognised`);
    } else if (events.length > 0) {
      row.otherMapped++;
      row.misses.push(`${type} "${o.observation.name}" -> ${events.map((e) => e.type).join("+")}`);
    }
  };
  replay.observations.forEach(check);
  return row;
}

// ---- the attribute fixtures ----

interface FixtureCheck {
  file: string;
  expect: Record<string, unknown>;
}

const FIXTURES: FixtureCheck[] = [
  { file: "openinference_client_span_input_output_only.json", expect: { type: "llm_call", provider: "openai", model: "gpt-4-0613", input_tokens: 97, output_tokens: 52, messages: 3 } },
  { file: "openinference_client_span_tool_calls.json", expect: { type: "llm_call", provider: "openai", model: "gpt-4-0613", input_tokens: 97, output_tokens: 52, messages: 3 } },
  { file: "otel_genai_client_span_tool_calls.json", expect: { type: "llm_call", provider: "openai", model: "gpt-4", served_model: "gpt-4-0613", input_tokens: 97, output_tokens: 52, messages: 3, finish_reason: "stop" } },
  { file: "otel_genai_deprecated_client_span_tool_calls.json", expect: { type: "llm_call", provider: "openai", model: "gpt-4", served_model: "gpt-4-0613", input_tokens: 97, output_tokens: 52, messages: 3, finish_reason: "stop" } },
  { file: "otel_genai_tool_execution_span.json", expect: { type: "tool_call", tool: "get_weather", call_id: "1234", arguments: { city: "New York" } } },
];

function fixtureRequest(attrs: Record<string, unknown>, envelope: { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] }) {
  const request = structuredClone(envelope);
  const span = request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  delete span.parentSpanId; // the example's parent is not in the request
  span.attributes = Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === "number" ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : Array.isArray(v) ? { arrayValue: { values: v.map((x) => ({ stringValue: String(x) })) } } : { stringValue: String(v) },
  }));
  return request;
}

function evalFixtures(): { rows: string[]; ok: number; total: number; envelope: string } {
  const envelope = JSON.parse(fs.readFileSync(`${fixtures}otlp-proto-examples/trace.json`, "utf8"));
  const canonical = decodeJson(encoder.encode(JSON.stringify(envelope)));
  const canonicalMapped = mapSpans(canonical.spans, { fitEvents: false });
  const rows: string[] = [];
  let ok = 0;
  let total = 0;
  for (const f of FIXTURES) {
    const attrs = JSON.parse(fs.readFileSync(`${fixtures}openinference/${f.file}`, "utf8")) as Record<string, unknown>;
    const decoded = decodeJson(encoder.encode(JSON.stringify(fixtureRequest(attrs, envelope))));
    const { events } = mapSpans(decoded.spans, { fitEvents: false });
    const e: Record<string, unknown> = events[0] ?? { type: "none" };
    const got: Record<string, unknown> = {
      type: e.type,
      provider: e.provider,
      model: e.model,
      input_tokens: e.input_tokens,
      output_tokens: e.output_tokens,
      messages: Array.isArray(e.messages) ? e.messages.length : undefined,
      finish_reason: e.finish_reason,
      tool: e.tool,
      call_id: (e.attributes as Record<string, unknown> | undefined)?.["gen_ai.tool.call.id"],
      served_model: (e.attributes as Record<string, unknown> | undefined)?.["gen_ai.response.model"],
      arguments: e.arguments,
    };
    const fields = Object.entries(f.expect);
    const wrong = fields.filter(([k, v]) => JSON.stringify(got[k]) !== JSON.stringify(v));
    ok += fields.length - wrong.length;
    total += fields.length;
    rows.push(`| \`${f.file}\` | ${fields.length - wrong.length}/${fields.length} | ${wrong.map(([k, v]) => `${k}: got ${JSON.stringify(got[k])}, want ${JSON.stringify(v)}`).join("; ") || "all fields"} |`);
  }
  return { rows, ok, total, envelope: `${canonical.spans.length} span decoded, ${canonical.malformed.length} malformed, ${canonicalMapped.ignored} ignored (a plain server span)` };
}

// ---- report ----

const files = fs.readdirSync(corpus).filter((f) => f.endsWith(".trace.json")).sort();
const rows = files.map(evalFile);
const sum = (pick: (r: Row) => [number, number]): [number, number] => rows.reduce<[number, number]>((a, r) => [a[0] + pick(r)[0], a[1] + pick(r)[1]], [0, 0]);
const ratio = ([ok, n]: [number, number]) => (n === 0 ? 1 : ok / n);

const lines: string[] = [];
lines.push(`Replayed ${files.length} traces (${rows.reduce((a, r) => a + r.observations, 0)} spans) from \`langfuse-framework-traces\`; generated by \`npm run eval:otel\`.`);
lines.push("");
lines.push("| framework | spans (original attrs) | LLM → llm_call | TOOL → tool_call | AGENT recognised | other spans mapped | ignored | rejected | model agree (exact) | tokens agree | tokens not in source | protobuf = JSON |");
lines.push("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  lines.push(
    `| ${r.framework} | ${r.observations} (${r.original}) | ${pct(r.llm)}${r.reconstructedLlm ? ` (${r.reconstructedLlm} rebuilt)` : ""}${r.aggregates ? ` (+${r.aggregates} run)` : ""} | ${pct(r.tool)} | ${pct(r.agent)} | ${r.otherMapped} | ${r.ignored} | ${r.rejected} | ${pct(r.model)} (${pct(r.modelExact)}) | ${pct(r.tokens)} | ${r.tokensNotInSource} | ${r.encodingsAgree ? "yes" : "NO"} |`,
  );
}
const llm = sum((r) => r.llm);
const tool = sum((r) => r.tool);
const model = sum((r) => r.model);
const tokens = sum((r) => r.tokens);
lines.push(
  `| **all** | ${rows.reduce((a, r) => a + r.observations, 0)} (${rows.reduce((a, r) => a + r.original, 0)}) | ${pct(llm)} | ${pct(tool)} | ${pct(sum((r) => r.agent))} | ${rows.reduce((a, r) => a + r.otherMapped, 0)} | ${rows.reduce((a, r) => a + r.ignored, 0)} | ${rows.reduce((a, r) => a + r.rejected, 0)} | ${pct(model)} = ${ratio(model).toFixed(3)} (exact ${pct(sum((r) => r.modelExact))}) | ${pct(tokens)} (${ratio(tokens).toFixed(3)}) | ${rows.reduce((a, r) => a + r.tokensNotInSource, 0)} | ${rows.every((r) => r.encodingsAgree) ? "yes" : "NO"} |`,
);
const modelOrig = sum((r) => r.modelOriginal);
const tokensOrig = sum((r) => r.tokensOriginal);
lines.push("");
lines.push(`On spans with their original attributes only (no rebuilt ones): model ${pct(modelOrig)} = ${ratio(modelOrig).toFixed(3)}, tokens ${pct(tokensOrig)} = ${ratio(tokensOrig).toFixed(3)}.`);
lines.push("");
lines.push("Differences from Langfuse's reading, span by span:");
lines.push("");
for (const r of rows) for (const m of r.misses) lines.push(`- ${r.framework}: ${m}`);
const fx = evalFixtures();
lines.push("");
lines.push(`Attribute fixtures (\`otel-genai-fixtures\`), each wrapped into the canonical \`trace.json\` envelope (${fx.envelope}): ${fx.ok}/${fx.total} fields right.`);
lines.push("");
lines.push("| fixture | fields right | differences |");
lines.push("|---|---|---|");
lines.push(...fx.rows);

const report = lines.join("\n");
console.log(report);

const targetsMet = llm[0] === llm[1] && tool[0] === tool[1] && ratio(model) >= 0.95 && ratio(tokens) >= 0.95 && fx.ok === fx.total && rows.every((r) => r.encodingsAgree);
console.log(`\ntargets (every LLM and tool span mapped, model and token agreement >= 0.95, fixtures exact, encodings agree): ${targetsMet ? "met" : "NOT met"}`);
if (!targetsMet) proc.exitCode = 1;

if (proc.argv.includes("--write")) {
  const path = `${root}docs/otel-mapping.md`;
  const doc = fs.readFileSync(path, "utf8");
  const start = "<!-- eval:otel:start -->";
  const end = "<!-- eval:otel:end -->";
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${path} lacks the ${start} / ${end} markers`);
  fs.writeFileSync(path, `${doc.slice(0, a + start.length)}\n${report}\n${doc.slice(b)}`);
}
