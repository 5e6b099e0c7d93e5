// cascading_failure: a parent handed off to a child execution that ended crashed, timed out or
// failed validation. Parent and child collapse into one group named by the edge (parent role to
// child role, and the child's status), whatever order their events arrive in: the check runs when
// the child's end arrives and again when the link arrives. Fires once per (parent, child).
import { cleanSignaturePart } from "../../execution/detectors/text.ts";
import { handoffBetween, topologyExecution } from "../topology.ts";
import type { ProjectDetector } from "./types.ts";

const FAILED_CHILD = new Set(["crashed", "timeout", "validation_failed"]);

export const cascadingFailureDetector: ProjectDetector = {
  failureClass: "cascading_failure",
  kinds: ["execution_finished", "execution_started", "handoff"],
  observe(signals, ctx) {
    const pairs = new Map<string, { parent: string; child: string; ts: number }>();
    const add = (parent: string | null, child: string, ts: number) => {
      if (parent && parent !== child) pairs.set(`${parent}\u0000${child}`, { parent, child, ts });
    };
    for (const s of signals) {
      if (s.kind === "execution_finished") add(topologyExecution(ctx.sql, s.execution_id)?.parent_execution_id ?? null, s.execution_id, s.ts);
      else if (s.kind === "execution_started") add(s.parent_execution_id, s.execution_id, s.ts);
      else if (s.kind === "handoff" && s.child_execution_id) add(s.execution_id, s.child_execution_id, s.ts);
    }
    for (const { parent, child, ts } of pairs.values()) {
      const childRow = topologyExecution(ctx.sql, child);
      if (!childRow || !FAILED_CHILD.has(childRow.status)) continue;
      if (!ctx.claimOnce(`cascading_failure:${parent}\u0000${child}`)) continue;
      const parentRow = topologyExecution(ctx.sql, parent);
      const handoff = handoffBetween(ctx.sql, parent, child);
      const from = handoff?.from_agent ?? parentRow?.agent ?? parentRow?.name ?? "parent";
      const to = handoff?.to_agent ?? childRow.agent ?? childRow.name ?? "child";
      ctx.emit({
        signature: `${cleanSignaturePart(from, 64)}→${cleanSignaturePart(to, 64)}:${childRow.status}`,
        execution_id: parent,
        ts: Math.max(ts, childRow.finished_ts ?? ts),
        detail: { parent_execution_id: parent, child_execution_id: child, child_status: childRow.status, from_agent: from, to_agent: to },
      });
    }
  },
};
