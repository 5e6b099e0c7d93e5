// GET /v1/executions/{id}/topology: the multi-agent tree the execution belongs to, from its root,
// with each node's status and the failure groups it is in, and the handoffs between agents.
import type { TopologyNode, TopologyView } from "../../durable-objects/project/project-object.ts";
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { projectStub } from "../ingest/dispatch.ts";

/** Bound parameters per D1 statement stay under 100. */
const IN_CHUNK = 90;

interface NodeGroup {
  id: string;
  failure_class: string;
  signature: string;
  severity: string;
  status: string;
}

interface TopologyReader {
  topology(executionId: string): Promise<TopologyView | null>;
}

export function registerExecutionTopologyGet(app: App): void {
  app.get("/v1/executions/:id/topology", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const view = await (projectStub(c.env, caller.projectId) as unknown as TopologyReader).topology(c.req.param("id"));
    if (!view) throw new ApiError("not_found", "No such execution in this project's topology.");
    const ids: string[] = [];
    const collect = (n: TopologyNode) => {
      ids.push(n.execution_id);
      n.children.forEach(collect);
    };
    collect(view.tree);
    const groups = new Map<string, NodeGroup[]>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      const { results } = await c.env.DB.prepare(
        `SELECT ge.execution_id, g.id, g.failure_class, g.signature, g.severity, g.status
         FROM group_executions ge JOIN failure_groups g ON g.id = ge.group_id
         WHERE ge.project_id = ? AND ge.execution_id IN (${chunk.map(() => "?").join(",")})`,
      )
        .bind(caller.projectId, ...chunk)
        .all<NodeGroup & { execution_id: string }>();
      for (const { execution_id, ...g } of results) groups.set(execution_id, [...(groups.get(execution_id) ?? []), g]);
    }
    const withGroups = (n: TopologyNode): TopologyNode & { groups: NodeGroup[] } => ({
      ...n,
      groups: groups.get(n.execution_id) ?? [],
      children: n.children.map(withGroups),
    });
    return c.json({ ...view, tree: withGroups(view.tree) });
  });
}
