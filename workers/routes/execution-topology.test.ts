// GET /v1/executions/{id}/topology: the tree from its root with statuses, roles and groups; unknown
// and other projects' executions are not found.
import { describe, it } from "vitest";
import { T0, at, createProject, flushExecution, getJson, sendAll } from "../../test/helpers.ts";

interface Node {
  execution_id: string;
  agent: string | null;
  status: string;
  groups: { failure_class: string }[];
  children: Node[];
}

describe("GET /v1/executions/{id}/topology", () => {
  it("shows the tree with each node's status and groups", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, [
      at(T0, "root", "execution_started", { agent: "router", name: "support" }),
      at(T0 + 1, "root", "agent_handoff", { from_agent: "router", to_agent: "refunds", child_execution_id: "kid" }),
      at(T0 + 2, "kid", "execution_started", { agent: "refunds", parent_execution_id: "root" }),
      at(T0 + 3, "kid", "execution_finished", { status: "crashed", error: { type: "KeyError" } }),
    ]);
    await flushExecution(p.project_id, "kid");
    const { status, body } = await getJson<{ root_execution_id: string; tree: Node; handoffs: unknown[] }>("/v1/executions/kid/topology", p.read_key);
    expect(status).toBe(200);
    expect(body.root_execution_id).toBe("root");
    expect(body.tree).toMatchObject({ execution_id: "root", agent: "router", status: "running" });
    expect(body.tree.groups.map((g) => g.failure_class)).toEqual(["cascading_failure"]);
    expect(body.tree.children[0]).toMatchObject({ execution_id: "kid", agent: "refunds", status: "crashed" });
    expect(body.tree.children[0]!.groups.map((g) => g.failure_class)).toEqual(["crash"]);
    expect(body.handoffs).toEqual([{ execution_id: "root", from_agent: "router", to_agent: "refunds", child_execution_id: "kid" }]);
  });

  it("answers 404 for unknown executions and for other projects", async ({ expect }) => {
    const a = await createProject();
    const b = await createProject();
    await sendAll(a, [at(T0, "mine", "execution_started")]);
    expect((await getJson("/v1/executions/mine/topology", b.read_key)).status).toBe(404);
    expect((await getJson("/v1/executions/nobody/topology", a.read_key)).status).toBe(404);
  });
});
