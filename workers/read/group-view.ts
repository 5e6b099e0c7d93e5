// The public shape of a failure group (spec section 6), with its triage category and route.
import type { FailureClass } from "../core/failure-classes.ts";
import { CLASS_INFO, REMEDIATION_ROUTES, isFailureClass } from "../core/failure-classes.ts";
import { isoTime } from "../core/time.ts";

export interface GroupRow {
  id: string;
  failure_class: string;
  signature: string;
  status: string;
  severity: string;
  first_seen: number;
  last_seen: number;
  occurrences: number;
  executions: number;
  last_execution_id: string | null;
  detail: string | null;
}

export function groupView(row: GroupRow) {
  const category = isFailureClass(row.failure_class) ? CLASS_INFO[row.failure_class as FailureClass].category : null;
  return {
    id: row.id,
    failure_class: row.failure_class,
    signature: row.signature,
    status: row.status,
    severity: row.severity,
    first_seen: isoTime(row.first_seen),
    last_seen: isoTime(row.last_seen),
    occurrences: row.occurrences,
    executions: row.executions,
    last_execution_id: row.last_execution_id,
    category,
    remediation_route: category ? REMEDIATION_ROUTES[category] : null,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
  };
}
