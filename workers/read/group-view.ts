// The public shape of a failure group (spec section 6), with its triage category, route and
// lifecycle fields.
import { REMEDIATION_ROUTES, isFailureClass } from "../core/failure-classes.ts";
import type { TriageCategory } from "../core/failure-classes.ts";
import { isoTime } from "../core/time.ts";
import { categoryOf } from "../triage/fix-loops.ts";

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
  observed_at: number | null;
  status_changed_at: number | null;
  resolved_at: number | null;
  resolved_in_release: string | null;
  fix_shipped_at: number | null;
  regressed_at: number | null;
  archive_mode: string | null;
  category_override: string | null;
  category_override_by: string | null;
  category_override_at: number | null;
}

export function groupView(row: GroupRow) {
  const category = categoryOf(row) as TriageCategory;
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
    category_source: row.category_override ? "override" : isFailureClass(row.failure_class) ? "class" : "default",
    category_override: row.category_override ? { category: row.category_override, by: row.category_override_by, at: isoTime(row.category_override_at) } : null,
    remediation_route: REMEDIATION_ROUTES[category] ?? null,
    observed_at: isoTime(row.observed_at ?? row.first_seen),
    status_changed_at: isoTime(row.status_changed_at),
    resolved_at: isoTime(row.resolved_at),
    resolved_in_release: row.resolved_in_release,
    fix_shipped_at: isoTime(row.fix_shipped_at),
    regressed_at: isoTime(row.regressed_at),
    archive_mode: row.archive_mode,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
  };
}
