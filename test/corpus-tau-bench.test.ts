// Real agent runs come out clean: the 200 tau-bench airline trajectories, sent as an instrumented
// agent would, produce no loop, waste or overflow finding except two real loops named below.
// Growing conversations, fan-out lookups and human-driven retries are not loops.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "./helpers.ts";
import { createProject, ingest, getJson } from "./helpers.ts";
import { TAU_BENCH_TRAJECTORIES, trajectoryToEvents } from "./corpus/tau-bench.ts";

/**
 * True positives, checked by hand: in both runs the agent sent book_reservation three times with
 * byte-identical arguments, on its own (only `think` calls between), and got the identical
 * "payment amount does not add up" error each time; both runs failed (reward 0).
 */
const KNOWN_TRUE_LOOPS = ["tau-8-1-58: similar_call_loop airline-agent/gpt-4o", "tau-11-2-111: similar_call_loop airline-agent/gpt-4o"];

const MUST_STAY_CLEAN = new Set(["identical_call_loop", "similar_call_loop", "token_waste", "context_overflow", "semantic_loop", "step_count_exceeded", "time_budget_exceeded"]);

describe("tau-bench airline trajectories", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject("tau-bench");
  });

  it("all 200 runs are free of loop, waste and budget findings but the two true loops", { timeout: 120_000 }, async ({ expect }) => {
    expect(TAU_BENCH_TRAJECTORIES.length).toBe(200);
    const unexpected: string[] = [];
    let llmCalls = 0;
    for (const [i, t] of TAU_BENCH_TRAJECTORIES.entries()) {
      const id = `tau-${t.task_id}-${t.trial}-${i}`;
      const events = trajectoryToEvents(t, id);
      llmCalls += events.filter((e) => e.type === "llm_call").length;
      for (let b = 0; b < events.length; b += 100) {
        const { status } = await ingest(project.ingest_key, events.slice(b, b + 100));
        expect(status).toBe(200);
      }
      const { body } = await getJson<{ findings: { failure_class: string; signature: string }[] }>(`/v1/executions/${id}`, project.read_key);
      for (const f of body.findings) if (MUST_STAY_CLEAN.has(f.failure_class)) unexpected.push(`${id}: ${f.failure_class} ${f.signature}`);
    }
    expect(llmCalls).toBeGreaterThan(2000);
    expect(unexpected).toEqual(KNOWN_TRUE_LOOPS);
  });
});
