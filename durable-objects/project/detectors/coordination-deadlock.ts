// coordination_deadlock: the agents of one topology subtree hand off in a cycle (A→B→A, or longer),
// so work can circulate without anyone finishing it. The cycle is named by its roles, starting at
// the alphabetically first, and fires once per (root execution, cycle).
import { cleanSignaturePart } from "../../execution/detectors/text.ts";
import { rootOf, subtreeOf } from "../topology.ts";
import type { ProjectDetector } from "./types.ts";

/** D1/SQLite bound-parameter budget per statement. */
const IN_CHUNK = 90;

/** Elementary cycles found by depth-first search (at least one per strongly connected part). */
export function findCycles(edges: readonly (readonly [string, string])[]): string[][] {
  const out = new Map<string, string[]>();
  const graph = new Map<string, string[]>();
  for (const [a, b] of edges) {
    if (a === b) continue;
    graph.set(a, [...(graph.get(a) ?? []), b]);
  }
  const visiting: string[] = [];
  const done = new Set<string>();
  const visit = (node: string): void => {
    visiting.push(node);
    for (const next of graph.get(node) ?? []) {
      const at = visiting.indexOf(next);
      if (at >= 0) {
        const cycle = visiting.slice(at);
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
        out.set(canonical.join("\u0000"), canonical);
      } else if (!done.has(next)) {
        visit(next);
      }
    }
    visiting.pop();
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) if (!done.has(node)) visit(node);
  return [...out.values()];
}

export const coordinationDeadlockDetector: ProjectDetector = {
  failureClass: "coordination_deadlock",
  kinds: ["handoff", "execution_started"],
  observe(signals, ctx) {
    const roots = new Map<string, number>();
    for (const s of signals) {
      if (s.kind === "handoff" || (s.kind === "execution_started" && s.parent_execution_id)) {
        const root = rootOf(ctx.sql, s.execution_id);
        roots.set(root, Math.max(roots.get(root) ?? 0, s.ts));
      }
    }
    for (const [root, ts] of roots) {
      const ids = subtreeOf(ctx.sql, root).map((e) => e.execution_id);
      const edges: [string, string][] = [];
      for (let i = 0; i < ids.length; i += IN_CHUNK) {
        const chunk = ids.slice(i, i + IN_CHUNK);
        for (const e of ctx.sql.exec<{ from_agent: string; to_agent: string }>(
          `SELECT DISTINCT from_agent, to_agent FROM topology_handoffs WHERE execution_id IN (${chunk.map(() => "?").join(",")})`,
          ...chunk,
        )) {
          edges.push([e.from_agent, e.to_agent]);
        }
      }
      for (const cycle of findCycles(edges)) {
        const signature = [...cycle, cycle[0]!].map((r) => cleanSignaturePart(r, 48)).join("→");
        if (!ctx.claimOnce(`coordination_deadlock:${root}\u0000${signature}`)) continue;
        ctx.emit({ signature, execution_id: root, ts, detail: { root_execution_id: root, roles: cycle, executions_in_subtree: ids.length } });
      }
    }
  },
};
