// The project's multi-agent topology: which execution is whose child, with agent roles and
// statuses, built from execution_started (parent_execution_id) and agent_handoff
// (child_execution_id) signals in whatever order they arrive.
import type { ProjectSignal } from "./signals.ts";

const MAX_DEPTH = 32;
/** A subtree larger than this is cut: topology reads and cycle checks stay bounded. */
export const MAX_SUBTREE = 500;

export interface TopologyExecution {
  execution_id: string;
  parent_execution_id: string | null;
  name: string | null;
  agent: string | null;
  status: string;
  started_ts: number | null;
  finished_ts: number | null;
}

export function recordTopology(sql: SqlStorage, signals: readonly ProjectSignal[]): void {
  const touch = (id: string, ts: number) =>
    sql.exec("INSERT INTO topology_executions (execution_id, updated_ts) VALUES (?, ?) ON CONFLICT (execution_id) DO UPDATE SET updated_ts = max(updated_ts, excluded.updated_ts)", id, ts);
  for (const s of signals) {
    if (s.kind === "execution_started") {
      touch(s.execution_id, s.ts);
      sql.exec(
        `UPDATE topology_executions SET name = coalesce(?, name), agent = coalesce(?, agent),
           parent_execution_id = coalesce(parent_execution_id, ?), started_ts = ? WHERE execution_id = ?`,
        s.name,
        s.agent,
        s.parent_execution_id,
        s.ts,
        s.execution_id,
      );
      if (s.parent_execution_id) touch(s.parent_execution_id, s.ts);
    } else if (s.kind === "execution_finished") {
      touch(s.execution_id, s.ts);
      sql.exec("UPDATE topology_executions SET status = ?, finished_ts = ? WHERE execution_id = ?", s.status, s.ts, s.execution_id);
    } else if (s.kind === "handoff") {
      touch(s.execution_id, s.ts);
      sql.exec(
        "INSERT INTO topology_handoffs (event_id, execution_id, from_agent, to_agent, child_execution_id, ts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        s.event_id,
        s.execution_id,
        s.from_agent,
        s.to_agent,
        s.child_execution_id,
        s.ts,
      );
      sql.exec("UPDATE topology_executions SET agent = coalesce(agent, ?) WHERE execution_id = ?", s.from_agent, s.execution_id);
      if (s.child_execution_id && s.child_execution_id !== s.execution_id) {
        touch(s.child_execution_id, s.ts);
        sql.exec(
          "UPDATE topology_executions SET parent_execution_id = coalesce(parent_execution_id, ?), agent = coalesce(agent, ?) WHERE execution_id = ?",
          s.execution_id,
          s.to_agent,
          s.child_execution_id,
        );
      }
    }
  }
}

export function topologyExecution(sql: SqlStorage, id: string): TopologyExecution | null {
  return (sql.exec("SELECT * FROM topology_executions WHERE execution_id = ?", id).toArray()[0] as TopologyExecution | undefined) ?? null;
}

/** The top of `id`'s tree, following parent links (cycles and depth bounded). */
export function rootOf(sql: SqlStorage, id: string): string {
  let current = id;
  const seen = new Set([id]);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const parent = topologyExecution(sql, current)?.parent_execution_id;
    if (!parent || seen.has(parent)) break;
    seen.add(parent);
    current = parent;
  }
  return current;
}

/** `root` and its descendants, breadth first, at most MAX_SUBTREE. */
export function subtreeOf(sql: SqlStorage, root: string): TopologyExecution[] {
  const out: TopologyExecution[] = [];
  const seen = new Set<string>();
  let frontier = [root];
  while (frontier.length > 0 && out.length < MAX_SUBTREE) {
    const next: string[] = [];
    for (const id of frontier) {
      if (seen.has(id) || out.length >= MAX_SUBTREE) continue;
      seen.add(id);
      const row = topologyExecution(sql, id);
      out.push(row ?? { execution_id: id, parent_execution_id: null, name: null, agent: null, status: "unknown", started_ts: null, finished_ts: null });
      for (const child of sql.exec<{ execution_id: string }>("SELECT execution_id FROM topology_executions WHERE parent_execution_id = ?", id)) {
        next.push(child.execution_id);
      }
    }
    frontier = next;
  }
  return out;
}

/** The handoff from `parent` to `child`, if one was reported: it names the edge's roles. */
export function handoffBetween(sql: SqlStorage, parent: string, child: string): { from_agent: string; to_agent: string } | null {
  return (
    (sql
      .exec("SELECT from_agent, to_agent FROM topology_handoffs WHERE execution_id = ? AND child_execution_id = ? ORDER BY ts LIMIT 1", parent, child)
      .toArray()[0] as { from_agent: string; to_agent: string } | undefined) ?? null
  );
}
