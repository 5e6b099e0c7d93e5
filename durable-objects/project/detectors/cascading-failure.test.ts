// cascading_failure: a parent that handed off to a child that crashed, timed out or failed
// validation makes one group named by the edge, whether the child's end or the handoff arrives
// first; a child that completed does not.
import { describe, it } from "vitest";
import { T0, at, createProject, getJson, listGroups, sendAll } from "../../../test/helpers.ts";

const handoff = (parent: string, child: string, ts = T0) => at(ts, parent, "agent_handoff", { from_agent: "router", to_agent: "refund-agent", child_execution_id: child, kind: "delegate" });
const finish = (child: string, status: string, ts = T0 + 5000) => at(ts, child, "execution_finished", { status });

describe("cascading failure detector", () => {
  it("groups parent-first and child-first arrivals under one edge", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [at(T0 - 1000, "parent-1", "execution_started", { agent: "router" }), handoff("parent-1", "child-1")]);
    await sendAll(p, [finish("child-1", "crashed")]);
    await sendAll(p, [finish("child-2", "crashed")]);
    await sendAll(p, [handoff("parent-2", "child-2")]);
    const groups = await listGroups(p, "?failure_class=cascading_failure");
    expect(groups.map((g) => [g.signature, g.occurrences, g.executions])).toEqual([["router→refund-agent:crashed", 2, 2]]);
    const detail = await getJson<{ recent_executions: { execution_id: string }[] }>(`/v1/groups/${groups[0]!.id}`, p.read_key);
    expect(detail.body.recent_executions.map((e) => e.execution_id).sort()).toEqual(["parent-1", "parent-2"]);
  });

  it("does not fire for a child that completed or was cancelled, and names timeouts apart", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [handoff("p1", "c1"), finish("c1", "completed"), handoff("p2", "c2"), finish("c2", "cancelled"), handoff("p3", "c3"), finish("c3", "timeout")]);
    expect((await listGroups(p, "?failure_class=cascading_failure")).map((g) => g.signature)).toEqual(["router→refund-agent:timeout"]);
  });
});
