// The 20 framework traces of ../shared/corpora/langfuse-framework-traces (MIT, see its SOURCE.md),
// rebuilt as OTLP/JSON (test/otel/replay.ts) and sent through POST /v1/traces of the real Worker:
// every span Langfuse read as a model call is stored as an llm_call, every tool span as a
// tool_call, nothing is rejected, and a second export of the same trace is all duplicates.
// `npm run eval:otel` reports the same replay field by field (models, tokens) in docs/otel-mapping.md.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../helpers.ts";
import { call, createProject, getJson } from "../helpers.ts";
import type { LangfuseTrace } from "./replay.ts";
import { replayTrace } from "./replay.ts";
import t0 from "../../../shared/corpora/langfuse-framework-traces/agno-2025-06-11.trace.json?raw";
import t1 from "../../../shared/corpora/langfuse-framework-traces/autogen-2025-06-06.trace.json?raw";
import t2 from "../../../shared/corpora/langfuse-framework-traces/beeai-2025-08-01.trace.json?raw";
import t3 from "../../../shared/corpora/langfuse-framework-traces/claude-agent-2025-12-22.trace.json?raw";
import t4 from "../../../shared/corpora/langfuse-framework-traces/crewai-2025-07-11.trace.json?raw";
import t5 from "../../../shared/corpora/langfuse-framework-traces/csharp-agent-with-gemini-2026-03-09.trace.json?raw";
import t6 from "../../../shared/corpora/langfuse-framework-traces/google-adk-2025-08-28.trace.json?raw";
import t7 from "../../../shared/corpora/langfuse-framework-traces/google-gemini-2025-08-01.trace.json?raw";
import t8 from "../../../shared/corpora/langfuse-framework-traces/koog-2025-08-26.trace.json?raw";
import t9 from "../../../shared/corpora/langfuse-framework-traces/langgraph-js-2025-10-30.trace.json?raw";
import t10 from "../../../shared/corpora/langfuse-framework-traces/langgraph-python-2025-08-22.trace.json?raw";
import t11 from "../../../shared/corpora/langfuse-framework-traces/llamaindex-2025-06-05.trace.json?raw";
import t12 from "../../../shared/corpora/langfuse-framework-traces/microsoft-agent-2025-12-17.trace.json?raw";
import t13 from "../../../shared/corpora/langfuse-framework-traces/openai-agents-2025-09-30.trace.json?raw";
import t14 from "../../../shared/corpora/langfuse-framework-traces/pydantic-ai-2025-06-06.trace.json?raw";
import t15 from "../../../shared/corpora/langfuse-framework-traces/pydantic-ai-tools-2025-06-06.trace.json?raw";
import t16 from "../../../shared/corpora/langfuse-framework-traces/pydantic-ai-tools-2025-12-04.trace.json?raw";
import t17 from "../../../shared/corpora/langfuse-framework-traces/pydantic-ai-with-gemini-2025-12-24.trace.json?raw";
import t18 from "../../../shared/corpora/langfuse-framework-traces/vercel-aisdk-2025-11-17.trace.json?raw";
import t19 from "../../../shared/corpora/langfuse-framework-traces/vertex-ai-2025-08-01.trace.json?raw";

const TRACES: [string, string][] = [
  ["agno-2025-06-11.trace.json", t0],
  ["autogen-2025-06-06.trace.json", t1],
  ["beeai-2025-08-01.trace.json", t2],
  ["claude-agent-2025-12-22.trace.json", t3],
  ["crewai-2025-07-11.trace.json", t4],
  ["csharp-agent-with-gemini-2026-03-09.trace.json", t5],
  ["google-adk-2025-08-28.trace.json", t6],
  ["google-gemini-2025-08-01.trace.json", t7],
  ["koog-2025-08-26.trace.json", t8],
  ["langgraph-js-2025-10-30.trace.json", t9],
  ["langgraph-python-2025-08-22.trace.json", t10],
  ["llamaindex-2025-06-05.trace.json", t11],
  ["microsoft-agent-2025-12-17.trace.json", t12],
  ["openai-agents-2025-09-30.trace.json", t13],
  ["pydantic-ai-2025-06-06.trace.json", t14],
  ["pydantic-ai-tools-2025-06-06.trace.json", t15],
  ["pydantic-ai-tools-2025-12-04.trace.json", t16],
  ["pydantic-ai-with-gemini-2025-12-24.trace.json", t17],
  ["vercel-aisdk-2025-11-17.trace.json", t18],
  ["vertex-ai-2025-08-01.trace.json", t19],
];

async function post(project: TestProject, body: string) {
  const res = await call("/v1/traces", { method: "POST", key: project.ingest_key, headers: { "content-type": "application/json" }, body });
  return { status: res.status, body: (await res.json()) as { partialSuccess?: { rejectedSpans: string } } };
}

describe("the Langfuse framework traces, replayed as OTLP", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject("framework traces");
  });

  it.for(TRACES)("%s: model and tool spans become llm_call and tool_call events", async ([, raw], { expect }) => {
    const replay = replayTrace(JSON.parse(raw) as LangfuseTrace);
    const body = JSON.stringify(replay.request);
    const first = await post(project, body);
    expect(first).toEqual({ status: 200, body: {} });
    const read = await getJson<{ events: { id: string; type: string }[] }>(`/v1/executions/${replay.traceId}?limit=500`, project.read_key);
    const typeOf = new Map(read.body.events.map((e) => [e.id, e.type]));
    for (const o of replay.observations) {
      // Vercel's ai.generateText wraps the provider calls (its own spans): it is read as the run.
      const aggregate = o.observation.name === "ai.generateText";
      if (o.observation.type === "GENERATION" && !aggregate) expect(typeOf.get(`otel:${o.spanId}`), o.observation.name).toBe("llm_call");
      if (o.observation.type === "TOOL") expect(typeOf.get(`otel:${o.spanId}`), o.observation.name).toBe("tool_call");
    }
    const again = await post(project, body);
    expect(again).toEqual({ status: 200, body: {} });
    const reread = await getJson<{ execution: { event_count: number } }>(`/v1/executions/${replay.traceId}`, project.read_key);
    expect(reread.body.execution.event_count).toBe(read.body.events.length);
  });
});
