// The generator's own tests (node --test, Node 22 type stripping): determinism, labels, the
// probabilistic mode, and clean traffic free of anything an injection uses.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCorpora } from "./corpora.ts";
import { generate } from "./index.ts";
import { MODES } from "./modes/index.ts";
import type { LabEvent, Traffic } from "./types.ts";

const BASE = Date.UTC(2026, 0, 5);
const small = (seed: number, extra: Partial<Parameters<typeof generate>[0]> = {}): Traffic => generate({ seed, clean: 120, perMode: 2, baseTime: BASE, ...extra });
const eventsOf = (t: Traffic): LabEvent[] => t.units.flatMap((u) => u.executions.flatMap((e) => e.events));

describe("determinism", () => {
  it("the same seed gives identical traffic and ground truth", () => {
    assert.equal(JSON.stringify(small(7)), JSON.stringify(small(7)));
  });
  it("another seed gives other traffic", () => {
    assert.notEqual(JSON.stringify(eventsOf(small(7))), JSON.stringify(eventsOf(small(8))));
  });
  it("event ids are unique and every execution is in the ground truth", () => {
    const t = small(3);
    const ids = eventsOf(t).map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    const truth = new Set(t.truth.executions.map((e) => e.execution_id));
    for (const u of t.units) for (const e of u.executions) assert.ok(truth.has(e.id), e.id);
  });
});

describe("labels", () => {
  const t = small(11);
  const byId = new Map(eventsOf(t).map((e) => [e.id, e]));
  const execEvents = new Map(t.units.flatMap((u) => u.executions.map((e) => [e.id, e.events] as const)));
  it("every mode is injected, once per class, with its class", () => {
    assert.equal(new Set(MODES.map((m) => m.failure_class)).size, 23);
    for (const m of MODES) {
      const injections = t.truth.injections.filter((i) => i.mode === m.mode);
      assert.equal(injections.length, 2, m.mode);
      for (const i of injections) assert.equal(i.failure_class, m.failure_class);
    }
  });
  it("each injection's completing event exists, sits in its executions and carries the mode's label", () => {
    for (const i of t.truth.injections) {
      const e = byId.get(i.completing_event_id);
      if (!e) return assert.fail(`${i.id}: no completing event`);
      assert.ok(i.executions.includes(e.execution_id), i.id);
      assert.equal((e.attributes as Record<string, unknown> | undefined)?.["lab.injected"], i.mode, i.id);
      assert.ok(i.detect_on.length > 0 && i.executions.some((x) => i.detect_on.includes(x)), i.id);
    }
  });
  it("labels appear only in executions of an injection of that mode", () => {
    const modeOf = new Map(t.truth.executions.map((e) => [e.execution_id, e.mode]));
    for (const e of eventsOf(t)) {
      const label = (e.attributes as Record<string, unknown> | undefined)?.["lab.injected"];
      if (label !== undefined) assert.equal(label, modeOf.get(e.execution_id), e.id);
    }
  });
  it("targets allow their class; clean executions allow nothing", () => {
    for (const x of t.truth.executions) {
      if (x.role === "clean") assert.deepEqual(x.allowed_classes, []);
      if (x.role === "target") {
        const inj = t.truth.injections.find((i) => i.id === x.injection_id)!;
        assert.ok(x.allowed_classes.includes(inj.failure_class));
      }
    }
    for (const [id, events] of execEvents) assert.ok(events.length > 0, id);
  });
});

describe("probabilistic mode", () => {
  const count = (t: Traffic, mode: string) => t.truth.injections.filter((i) => i.mode === mode).length;
  it("honours per-mode probabilities and the multiplier", () => {
    const clean = 3000;
    const p = { hallucination: 0.05, auth_error: 0.02 };
    const zero = Object.fromEntries(MODES.map((m) => [m.mode, 0]));
    const a = generate({ seed: 5, clean, perMode: 0, baseTime: BASE, probabilistic: true, probabilities: { ...zero, ...p }, multiplier: 1 });
    const b = generate({ seed: 5, clean, perMode: 0, baseTime: BASE, probabilistic: true, probabilities: { ...zero, ...p }, multiplier: 2 });
    const runs = clean - 24; // the warm-up hour is never injected
    const near = (observed: number, expected: number) => Math.abs(observed - expected) <= 4 * Math.sqrt(expected);
    assert.ok(near(count(a, "hallucination"), runs * 0.05), `hallucination x1: ${count(a, "hallucination")}`);
    assert.ok(near(count(b, "hallucination"), runs * 0.1), `hallucination x2: ${count(b, "hallucination")}`);
    assert.ok(near(count(a, "auth_error"), runs * 0.95 * 0.02), `auth_error x1: ${count(a, "auth_error")}`);
    assert.equal(count(a, "token_waste"), 0);
    const none = generate({ seed: 5, clean: 500, perMode: 0, baseTime: BASE, probabilistic: true, multiplier: 0 });
    assert.equal(none.truth.injections.length, 0);
  });
  it("forced mode injects only the chosen mode", () => {
    const t = generate({ seed: 2, clean: 100, perMode: 3, baseTime: BASE, modes: ["sandbox_escape"] });
    assert.deepEqual([...new Set(t.truth.injections.map((i) => i.mode))], ["sandbox_escape"]);
    assert.equal(t.truth.injections.length, 3);
  });
});

describe("clean traffic carries no injection marker", () => {
  const t = generate({ seed: 13, clean: 400, perMode: 2, baseTime: BASE });
  const cleanIds = new Set(t.truth.executions.filter((e) => e.role === "clean" || e.role === "context").map((e) => e.execution_id));
  const clean = eventsOf(t).filter((e) => cleanIds.has(e.execution_id));
  const c = loadCorpora();
  const injectedTexts = [...c.jailbreaks.map((j) => j.text.slice(0, 80)), ...c.secrets.map((s) => s.text.slice(0, 40)), ...c.riskyBash.map((r) => r.code.slice(0, 60)), ...c.offTopic.map(([, p]) => p.slice(0, 80))];
  const markers: [string, (e: LabEvent) => boolean][] = [
    ["a label", (e) => e.attributes !== undefined],
    ["a failed tool call", (e) => e.type === "tool_call" && e.status !== "ok"],
    ["an LLM error", (e) => e.type === "llm_call" && e.status !== "ok"],
    ["a failed validator", (e) => e.type === "validator_check" && e.status !== "passed"],
    ["a failed evaluation", (e) => e.type === "eval_score" && (e.passed !== true || (e.score as number) < 0.5)],
    ["a human answer other than approved within SLA", (e) => e.type === "human_intervention" && (e.response_kind !== "approved" || (e.wait_duration_ms as number) > (e.sla_seconds as number) * 1000)],
    ["an infrastructure event", (e) => e.type === "infrastructure_event"],
    ["an unsuccessful finish", (e) => e.type === "execution_finished" && e.status !== "completed"],
    ["a tight budget", (e) => e.type === "execution_started" && ((e.policy as Record<string, number> | undefined)?.max_steps !== undefined || ((e.policy as Record<string, number> | undefined)?.max_wall_seconds ?? 1800) < 600)],
    ["a handoff back to an earlier role", (e) => e.type === "agent_handoff" && e.to_agent === "planner"],
    ["the stuck checkpoint state", (e) => e.type === "checkpoint" && JSON.stringify(e.state).includes("collect_payment")],
    ["the v2 reservation shape", (e) => e.type === "tool_call" && JSON.stringify(e.result).includes('"travelers"')],
  ];
  it("no clean event contains injected corpus text (jailbreaks, secrets, risky code, off-topic prompts)", () => {
    const blob = clean.map((e) => JSON.stringify(e)).join("\n");
    for (const x of injectedTexts) assert.ok(!blob.includes(JSON.stringify(x).slice(1, -1)), x);
  });
  it("has thousands of clean events", () => assert.ok(clean.length > 5000));
  for (const [name, marks] of markers) {
    it(`no clean event has ${name}`, () => {
      const hit = clean.find(marks);
      assert.equal(hit, undefined, hit ? `${hit.id}: ${JSON.stringify(hit).slice(0, 200)}` : "");
    });
  }
  it("every injection has at least one event a marker recognises", () => {
    const byExec = new Map(t.units.flatMap((u) => u.executions.map((e) => [e.id, e.events] as const)));
    for (const inj of t.truth.injections) {
      const events = inj.executions.flatMap((id) => byExec.get(id)!);
      assert.ok(events.some((e) => markers.some(([, m]) => m(e))), inj.id);
    }
  });
});
