// drift: real on-topic traffic (tau-bench airline turns) stays clean against its baseline;
// off-topic traffic (awesome-chatgpt-prompts role prompts) is lexical drift; a switch of model is a
// model-mix shift; snapshotting a new baseline accepts an intended change.
import { describe, it } from "vitest";
import awesomeCsv from "../../../../shared/corpora/awesome-chatgpt-prompts/prompts.csv?raw";
import { MINUTE, T0, at, call, createProject, listGroups, llmCall, sendAll } from "../../../test/helpers.ts";
import { TAU_BENCH_TRAJECTORIES } from "../../../test/corpus/tau-bench.ts";

const airlineTurns: { user: string; reply: string }[] = [];
for (const t of TAU_BENCH_TRAJECTORIES) {
  t.traj.forEach((m, i) => {
    const prev = t.traj[i - 1];
    if (m.role === "assistant" && m.content && prev?.role === "user" && prev.content) airlineTurns.push({ user: prev.content, reply: m.content });
  });
}
const rolePrompts = awesomeCsv
  .split("\n")
  .slice(1)
  .filter((l) => l.length > 50);

const calls = (texts: readonly { user: string; reply: string }[], start: number, model = "gpt-4o") =>
  texts.map((t, i) => at(start + i * 1000, `exec-${start}-${i}`, "llm_call", llmCall({ model, messages: [{ role: "user", content: t.user }], response: t.reply })));

describe("drift detector", () => {
  it("keeps on-topic traffic clean and flags off-topic traffic as lexical drift", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, calls(airlineTurns.slice(0, 30), T0));
    await sendAll(p, calls(airlineTurns.slice(400, 430), T0 + 70 * MINUTE));
    expect(await listGroups(p, "?failure_class=drift")).toEqual([]);
    await sendAll(p, calls(rolePrompts.slice(0, 30).map((line) => ({ user: line, reply: "Sure. Let us begin." })), T0 + 140 * MINUTE));
    expect((await listGroups(p, "?failure_class=drift")).map((g) => g.signature)).toEqual(["lexical"]);
  });

  it("flags a model switch as a model-mix shift, and accepts it after a new baseline", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, calls(airlineTurns.slice(0, 30), T0));
    await sendAll(p, calls(airlineTurns.slice(30, 60), T0 + 70 * MINUTE, "claude-sonnet-4-5"));
    const fired = await listGroups(p, "?failure_class=drift");
    expect(fired.map((g) => [g.signature, g.occurrences])).toEqual([["model_mix", 1]]);
    const snap = await call("/v1/drift/baseline", { method: "POST", key: p.admin_key });
    expect(snap.status).toBe(201);
    expect(((await snap.json()) as { baseline: { models: Record<string, number> } }).baseline.models).toEqual({ "claude-sonnet-4-5": 30 });
    await sendAll(p, calls(airlineTurns.slice(60, 90), T0 + 140 * MINUTE, "claude-sonnet-4-5"));
    expect((await listGroups(p, "?failure_class=drift")).map((g) => [g.signature, g.occurrences])).toEqual([["model_mix", 1]]);
  });

  it("needs enough calls in the window", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, calls(airlineTurns.slice(0, 30), T0));
    await sendAll(p, calls(airlineTurns.slice(30, 59), T0 + 70 * MINUTE, "claude-sonnet-4-5"));
    expect(await listGroups(p, "?failure_class=drift")).toEqual([]);
  });
});
