// Proves: the compiled fast check never accepts an event zod refuses, accepts exactly the events zod
// accepts (so it is used), and for every event it accepts zod's output equals the input; over the
// bench's generated runs, the tau-bench corpus, the OpenTelemetry-shaped events of the tests, and
// thousands of mutations of them. Also: every event type compiles without falling back, and an
// unknown construct falls back to zod instead of guessing.
import { describe, it } from "vitest";
import { z } from "zod";
import { makeEvent } from "../../bench/lib/workload.mjs";
import { TAU_BENCH_TRAJECTORIES, trajectoryToEvents } from "../../test/corpus/tau-bench.ts";
import { eventSchema } from "./event-schema.ts";
import { compile, fallsBack } from "./event-fast-check.ts";
import { prepareEvents } from "./prepare-events.ts";

const accepted = compile(eventSchema);

/** Events of every type, as clients send them. */
function validEvents(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let seq = 0; seq < 60; seq++) out.push(makeEvent("fast-long", seq, 20_000, Date.UTC(2026, 10, 24)) as Record<string, unknown>);
  for (let seq = 0; seq < 10; seq++) out.push(makeEvent("fast-short", seq, 10, Date.UTC(2026, 10, 24)) as Record<string, unknown>);
  TAU_BENCH_TRAJECTORIES.slice(0, 4).forEach((t, i) => out.push(...trajectoryToEvents(t, `tau-${i}`)));
  const base = { execution_id: "x", timestamp: "2026-11-24T10:00:00.123+01:00", tenant_id: "t", agent: "a", attributes: { k: [1, { v: null }] } };
  out.push(
    { ...base, id: "f1", type: "execution_finished", status: "crashed", duration_ms: 5, error: { type: "ValueError", message: "m", stack: "s" }, crash_signature: "c" },
    { ...base, id: "f2", type: "validator_check", validator: "v", status: "failed", reason: "r", category: "c", severity: "high" },
    { ...base, id: "f3", type: "agent_handoff", from_agent: "a", to_agent: "b", child_execution_id: "y", kind: "spawn" },
    { ...base, id: "f4", type: "human_intervention", request_id: "r", response_kind: "timeout", wait_duration_ms: 10, sla_seconds: 1, response_payload: "p" },
    { ...base, id: "f5", type: "infrastructure_event", reason: "throttled", provider: "p", http_status: 429, retry_after_ms: 0 },
    { ...base, id: "f6", type: "eval_score", evaluator: "e", metric: "m", score: -2.5, passed: false, higher_is_better: false },
    { ...base, id: "f7", type: "llm_call", provider: "p", model: "m", status: "error", error: { class: "rate_limited", type: "t", message: "m", http_status: 429 }, system: ["s"], prompt: { a: 1 } },
    { ...base, id: "f8", type: "execution_started", timestamp: 0, policy: { max_wall_seconds: 0.5, max_steps: 1, max_cost_usd: 0, halt_on: ["crash"], extra: true }, unknown_field: { kept: 1 } },
    { ...base, id: "f9", type: "checkpoint", state: null },
  );
  return out;
}

/** Values that sit on or across some field's edge: types, lengths, signs, integers, formats. */
const PROBES: unknown[] = [
  undefined, null, "", "x", "x".repeat(64), "x".repeat(65), "x".repeat(128), "x".repeat(129), "x".repeat(256), "x".repeat(257), "x".repeat(513),
  0, -0, 1, -1, 0.5, 2 ** 53, 2 ** 53 - 1, 8_640_000_000_000_000, 8_640_000_000_000_001, Number.NaN, Number.POSITIVE_INFINITY,
  true, false, [], [1], {}, { role: "user" }, { type: "x" },
  "2026-11-24T10:00:00Z", "2026-11-24T10:00:00", "2026-02-29T10:00:00Z", "2028-02-29T10:00:00.5-05:00", "2026-13-01T00:00:00Z",
  "ok", "error", "failed", "passed", "completed", "rate_limited", "approved", "delegate",
  Array.from({ length: 24 }, () => "x"), Array.from({ length: 23 }, () => "x"),
];

/** Every path to a value under `root` (objects and arrays, a few levels deep). */
function paths(root: unknown, prefix: (string | number)[] = [], depth = 0, out: (string | number)[][] = []): (string | number)[][] {
  if (depth > 3 || root === null || typeof root !== "object") return out;
  const entries = Array.isArray(root) ? root.slice(0, 3).map((v, i) => [i, v] as const) : Object.entries(root);
  for (const [k, v] of entries) {
    const p = [...prefix, k];
    out.push(p);
    paths(v, p, depth + 1, out);
  }
  return out;
}

function withValue(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let at: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined && !Array.isArray(at)) delete at[last];
  else at[last] = value;
  return copy;
}

function agree(expect: { (v: unknown, message?: string): { toBe(x: unknown): void; toEqual(x: unknown): void } }, event: unknown): boolean {
  const zod = eventSchema.safeParse(event);
  const fast = accepted(event);
  expect(fast, `${JSON.stringify(event).slice(0, 300)}: ${zod.success ? "" : JSON.stringify(zod.error.issues[0]).slice(0, 200)}`).toBe(zod.success);
  if (fast && zod.success) expect(zod.data).toEqual(event);
  return fast;
}

describe("compiled fast check", () => {
  it("compiles every event type without falling back to zod", ({ expect }) => {
    for (const option of eventSchema.options) expect(fallsBack(option)).toBe(false);
  });

  it("accepts exactly the valid events zod accepts, and zod hands back the same value", ({ expect }) => {
    const events = validEvents();
    expect(events.length).toBeGreaterThan(150);
    for (const e of events) expect(agree(expect, e)).toBe(true);
  });

  it("agrees with zod on every mutation of every field", ({ expect }) => {
    let refused = 0;
    let mutations = 0;
    for (const e of validEvents().filter((_, i) => i % 3 === 0)) {
      for (const path of paths(e)) {
        for (const probe of PROBES) {
          mutations++;
          if (!agree(expect, withValue(e, path, probe))) refused++;
        }
      }
    }
    expect(mutations).toBeGreaterThan(10_000);
    // Both sides of the line: many mutations are refused, many others stay valid.
    expect(refused).toBeGreaterThan(mutations / 10);
    expect(refused).toBeLessThan(mutations - mutations / 10);
  });

  it("leaves to zod what zod would change: a record with its own __proto__ key, a non-plain object", ({ expect }) => {
    const attributes = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const event = { id: "p1", execution_id: "x", type: "checkpoint", state: {}, attributes };
    expect(accepted(event)).toBe(false);
    expect(eventSchema.safeParse(event).success).toBe(true);
    // Ingest still takes it, through zod.
    const batch = prepareEvents([event], 100);
    expect(batch.rejected).toEqual([]);
    expect([...batch.byExecution.values()].flat()).toHaveLength(1);
    class Custom {
      id = "p2";
      execution_id = "x";
      type = "checkpoint";
      state = {};
    }
    expect(accepted(new Custom())).toBe(false);
  });

  it("falls back to zod for constructs it does not know, instead of guessing", ({ expect }) => {
    const unknownCheck = compile(z.string().regex(/a/g));
    const transformed = compile(z.string().transform((s) => s.length));
    const defaulted = compile(z.looseObject({ a: z.string().default("x") }));
    const strict = compile(z.strictObject({ a: z.string() }));
    for (const check of [unknownCheck, transformed, defaulted, strict]) expect([check("a"), check({ a: "a" })]).toEqual([false, false]);
    expect(fallsBack(z.looseObject({ a: z.string().default("x") }))).toBe(true);
  });
});
