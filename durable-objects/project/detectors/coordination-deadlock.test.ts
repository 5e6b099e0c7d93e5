// coordination_deadlock: a cycle of handoffs within one execution or across its topology subtree,
// named by its roles; a chain without a cycle does not fire.
import { describe, it } from "vitest";
import { T0, at, createProject, getJson, listGroups, sendAll } from "../../../test/helpers.ts";
import { findCycles } from "./coordination-deadlock.ts";

const hand = (exec: string, from: string, to: string, child?: string, ts = T0) =>
  at(ts, exec, "agent_handoff", { from_agent: from, to_agent: to, ...(child ? { child_execution_id: child } : {}) });

describe("coordination deadlock detector", () => {
  it("finds cycles and names them from their alphabetically first role", ({ expect }) => {
    expect(findCycles([["planner", "critic"], ["critic", "planner"]])).toEqual([["critic", "planner"]]);
    expect(findCycles([["a", "b"], ["b", "c"]])).toEqual([]);
  });

  it("fires on A→B→A within one execution", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [hand("solo", "planner", "critic"), hand("solo", "critic", "planner", undefined, T0 + 1000)]);
    expect((await listGroups(p, "?failure_class=coordination_deadlock")).map((g) => g.signature)).toEqual(["critic→planner→critic"]);
  });

  it("fires on a longer cycle across a subtree, whatever order the children report in", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [hand("grandchild", "checker", "intake")]);
    await sendAll(p, [hand("child", "drafter", "checker", "grandchild")]);
    await sendAll(p, [hand("root", "intake", "drafter", "child")]);
    const groups = await listGroups(p, "?failure_class=coordination_deadlock");
    expect(groups.map((g) => g.signature)).toEqual(["checker→intake→drafter→checker"]);
    const topology = await getJson<{ root_execution_id: string; nodes: number; tree: { children: { execution_id: string; children: unknown[] }[] } }>(
      "/v1/executions/grandchild/topology",
      p.read_key,
    );
    expect(topology.body).toMatchObject({ root_execution_id: "root", nodes: 3 });
    expect(topology.body.tree.children.map((c) => c.execution_id)).toEqual(["child"]);
  });

  it("does not fire on a chain", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [hand("r", "intake", "drafter", "c"), hand("c", "drafter", "checker")]);
    expect(await listGroups(p, "?failure_class=coordination_deadlock")).toEqual([]);
  });
});
