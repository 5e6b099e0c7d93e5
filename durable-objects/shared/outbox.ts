// Moves findings from a Durable Object's outbox (execution or project object) into D1's failure
// groups, exactly once.
// Each flush is one D1 batch (one transaction): every statement is guarded by the source's cursor,
// and the last one advances it, so a flush retried after a crash between D1's commit and the
// outbox delete changes nothing. Writes are aggregated per group: never a query per event.
import type { Severity } from "../../workers/core/failure-classes.ts";
import { maxSeverity } from "../../workers/core/failure-classes.ts";
import { groupIdFor } from "../../workers/core/group-id.ts";
import { ESCALATION_MIN_NEW_OCCURRENCES } from "../../workers/triage/lifecycle.ts";
import type { NotificationIntent } from "./notifications.ts";

/** Bounded so one flush stays one modest D1 batch; the rest goes in the next alarm. */
const FLUSH_ROWS = 500;

interface OutboxRow {
  seq: number;
  execution_id: string;
  failure_class: string;
  signature: string;
  severity: string;
  ts: number;
  new_execution: number;
  detail: string;
}

export interface ExecutionSnapshot {
  project_id: string;
  execution_id: string;
  name: string | null;
  tenant_id: string | null;
  parent_execution_id: string | null;
  status: string;
  started_at: number;
  last_event_at: number;
  finished_at: number | null;
  events: number;
  findings: number;
  /** The release the execution ran, from execution_started: decides whether a recurrence is a regression. */
  release?: string | null;
  /** Run metrics for analytics (durable-objects/execution/run-metrics.ts); absent columns stay NULL. */
  run_status?: string;
  duration_ms?: number;
  cost_usd?: number;
  llm_calls?: number;
  tool_calls?: number;
  failed_calls?: number;
  tokens?: number;
}

const SEVERITY_RANK_SQL = (column: string) =>
  `CASE ${column} WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END`;

export interface OutboxSource {
  projectId: string;
  /** Names the cursor in D1: `project:execution` for execution objects, `project:` + id for projects. */
  source: string;
  /** The execution object's own run, written to D1's executions table with each flush. */
  snapshot: ExecutionSnapshot | null;
}

/**
 * The outbox table both object kinds keep (created by their migrate()). `seq` is AUTOINCREMENT so a
 * sequence number is never reused and the D1 cursor stays valid.
 */
export const OUTBOX_TABLE_SQL = `CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  execution_id TEXT NOT NULL,
  failure_class TEXT NOT NULL, signature TEXT NOT NULL, severity TEXT NOT NULL,
  ts INTEGER NOT NULL, new_execution INTEGER NOT NULL, detail TEXT NOT NULL
);`;

/** What a group looked like in D1 before this flush: decides new, regressed and escalated. */
interface GroupBefore {
  id: string;
  status: string;
  severity: string;
  occurrences: number;
  fix_shipped_at: number | null;
  resolved_in_release: string | null;
  archive_mode: string | null;
  archived_occurrences: number | null;
  archived_severity: string | null;
}

const SEVERITY_ORDER = ["low", "medium", "high", "critical"];
/** Bound parameters per D1 statement stay under 100. */
const IN_CHUNK = 90;

export interface FlushResult {
  /** More outbox rows remain: flush again. */
  more: boolean;
  /** Notifications this flush made due (new groups, regressions, escalations), once committed. */
  intents: NotificationIntent[];
}

/** Flushes up to FLUSH_ROWS outbox rows (and the snapshot, if any). */
export async function flushOutbox(sql: SqlStorage, db: D1Database, from: OutboxSource): Promise<FlushResult> {
  const rows = sql.exec<Record<string, SqlStorageValue>>("SELECT * FROM outbox ORDER BY seq LIMIT ?", FLUSH_ROWS + 1).toArray() as unknown as OutboxRow[];
  const more = rows.length > FLUSH_ROWS;
  if (more) rows.pop();
  const { projectId, source, snapshot } = from;
  const lastSeq = rows.length > 0 ? rows[rows.length - 1]!.seq : 0;

  interface Aggregate {
    cls: string;
    sig: string;
    execution: string;
    severity: Severity;
    first: number;
    last: number;
    occurrences: number;
    newExecution: number;
    detail: string;
  }
  const add = (into: Map<string, Aggregate>, key: string, r: OutboxRow) => {
    const g = into.get(key);
    if (!g) {
      into.set(key, {
        cls: r.failure_class,
        sig: r.signature,
        execution: r.execution_id,
        severity: r.severity as Severity,
        first: r.ts,
        last: r.ts,
        occurrences: 1,
        newExecution: r.new_execution,
        detail: r.detail,
      });
    } else {
      g.severity = maxSeverity(g.severity, r.severity as Severity);
      g.first = Math.min(g.first, r.ts);
      g.last = Math.max(g.last, r.ts);
      g.occurrences++;
      g.newExecution += r.new_execution;
      g.detail = r.detail;
      g.execution = r.execution_id;
    }
  };
  const groups = new Map<string, Aggregate>();
  const memberships = new Map<string, Aggregate>();
  for (const r of rows) {
    add(groups, `${r.failure_class}\u0000${r.signature}`, r);
    add(memberships, `${r.failure_class}\u0000${r.signature}\u0000${r.execution_id}`, r);
  }
  const ids = new Map<string, string>();
  for (const g of groups.values()) ids.set(`${g.cls}\u0000${g.sig}`, await groupIdFor(projectId, g.cls, g.sig));
  const before = new Map<string, GroupBefore>();
  const idList = [...ids.values()];
  for (let i = 0; i < idList.length; i += IN_CHUNK) {
    const chunk = idList.slice(i, i + IN_CHUNK);
    const { results } = await db
      .prepare(
        `SELECT id, status, severity, occurrences, fix_shipped_at, resolved_in_release, archive_mode, archived_occurrences, archived_severity
         FROM failure_groups WHERE id IN (${chunk.map(() => "?").join(",")})`,
      )
      .bind(...chunk)
      .all<GroupBefore>();
    for (const r of results) before.set(r.id, r);
  }
  const releaseShippedAt = snapshot?.release
    ? ((await db.prepare("SELECT shipped_at FROM releases WHERE project_id = ? AND version = ?").bind(projectId, snapshot.release).first<{ shipped_at: number }>())
        ?.shipped_at ?? null)
    : null;

  const guard = "NOT EXISTS (SELECT 1 FROM outbox_cursors WHERE source = ? AND last_seq >= ?)";
  const statements: D1PreparedStatement[] = [];
  const intents: NotificationIntent[] = [];
  const now = Date.now();
  for (const g of groups.values()) {
    const groupId = ids.get(`${g.cls}\u0000${g.sig}`)!;
    const prior = before.get(groupId);
    const intentGroup = {
      id: groupId,
      failure_class: g.cls,
      signature: g.sig,
      severity: g.severity,
      occurrences: (prior?.occurrences ?? 0) + g.occurrences,
      first_seen: g.first,
      last_seen: g.last,
    };
    if (!prior) {
      intents.push({ key: `group.new:${groupId}`, kind: "group.new", group: intentGroup, execution_id: g.execution, ts: g.last });
    } else if (prior.status === "resolved" && prior.fix_shipped_at !== null && isLaterRecurrence(prior, g.last, snapshot?.release ?? null, releaseShippedAt)) {
      statements.push(
        db
          .prepare(
            `UPDATE failure_groups SET status = 'regressed', regressed_at = ?, observed_at = ?, status_changed_at = ?
             WHERE id = ? AND status = 'resolved' AND ${guard}`,
          )
          .bind(g.first, g.first, now, groupId, source, lastSeq),
        db
          .prepare(
            `INSERT INTO group_events (group_id, project_id, ts, actor, action, from_status, to_status, detail)
             SELECT ?, ?, ?, 'vigil', 'regressed', 'resolved', 'regressed', ? WHERE ${guard}`,
          )
          .bind(groupId, projectId, now, JSON.stringify({ execution_id: g.execution, release: snapshot?.release ?? null, fixed_in: prior.resolved_in_release }), source, lastSeq),
      );
      intents.push({ key: `group.regressed:${groupId}:${prior.fix_shipped_at}`, kind: "group.regressed", group: { ...intentGroup, status: "regressed" }, execution_id: g.execution, ts: g.last });
    } else if (prior.status === "archived" && prior.archive_mode === "until_escalation" && escalates(prior, g.severity, g.occurrences)) {
      statements.push(
        db
          .prepare(
            `UPDATE failure_groups SET status = 'open', archive_mode = NULL, status_changed_at = ?
             WHERE id = ? AND status = 'archived' AND ${guard}`,
          )
          .bind(now, groupId, source, lastSeq),
        db
          .prepare(
            `INSERT INTO group_events (group_id, project_id, ts, actor, action, from_status, to_status, detail)
             SELECT ?, ?, ?, 'vigil', 'escalated', 'archived', 'open', ? WHERE ${guard}`,
          )
          .bind(groupId, projectId, now, JSON.stringify({ severity: g.severity, occurrences: intentGroup.occurrences }), source, lastSeq),
      );
      intents.push({ key: `group.escalated:${groupId}:${prior.archived_occurrences}`, kind: "group.escalated", group: { ...intentGroup, status: "open" }, execution_id: g.execution, ts: g.last });
    }
    statements.push(
      db
        .prepare(
          `INSERT INTO failure_groups (id, project_id, failure_class, signature, status, severity, first_seen, last_seen,
             occurrences, executions, last_execution_id, detail, observed_at, status_changed_at)
           SELECT ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard}
           ON CONFLICT (id) DO UPDATE SET
             severity = CASE WHEN ${SEVERITY_RANK_SQL("excluded.severity")} > ${SEVERITY_RANK_SQL("failure_groups.severity")}
                        THEN excluded.severity ELSE failure_groups.severity END,
             first_seen = min(failure_groups.first_seen, excluded.first_seen),
             last_seen = max(failure_groups.last_seen, excluded.last_seen),
             occurrences = failure_groups.occurrences + excluded.occurrences,
             executions = failure_groups.executions + excluded.executions,
             last_execution_id = excluded.last_execution_id,
             detail = excluded.detail`,
        )
        .bind(groupId, projectId, g.cls, g.sig, g.severity, g.first, g.last, g.occurrences, g.newExecution, g.execution, g.detail, g.first, g.first, source, lastSeq),
    );
  }
  for (const m of memberships.values()) {
    statements.push(
      db
        .prepare(
          `INSERT INTO group_executions (group_id, execution_id, project_id, first_seen, last_seen, occurrences)
           SELECT ?, ?, ?, ?, ?, ? WHERE ${guard}
           ON CONFLICT (group_id, execution_id) DO UPDATE SET
             first_seen = min(group_executions.first_seen, excluded.first_seen),
             last_seen = max(group_executions.last_seen, excluded.last_seen),
             occurrences = group_executions.occurrences + excluded.occurrences`,
        )
        .bind(ids.get(`${m.cls}\u0000${m.sig}`)!, m.execution, projectId, m.first, m.last, m.occurrences, source, lastSeq),
    );
  }
  // The execution snapshot is a plain overwrite: idempotent by nature.
  if (snapshot) statements.push(...executionRowStatements(db, [snapshot]));
  if (rows.length > 0) {
    statements.push(
      db
        .prepare(
          "INSERT INTO outbox_cursors (source, last_seq) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET last_seq = max(outbox_cursors.last_seq, excluded.last_seq)",
        )
        .bind(source, lastSeq),
    );
  }
  if (statements.length === 0) return { more: false, intents: [] };
  await db.batch(statements);
  if (rows.length > 0) sql.exec("DELETE FROM outbox WHERE seq <= ?", lastSeq);
  return { more, intents };
}

const EXECUTION_ROW_COLUMNS = [
  "project_id",
  "execution_id",
  "name",
  "tenant_id",
  "parent_execution_id",
  "status",
  "started_at",
  "last_event_at",
  "finished_at",
  "events",
  "findings",
  "run_status",
  "duration_ms",
  "cost_usd",
  "llm_calls",
  "tool_calls",
  "failed_calls",
  "tokens",
] as const;
/** Rows per multi-row statement: 18 bound parameters each, under D1's 100 per statement. */
const EXECUTION_ROWS_PER_STATEMENT = 5;

/**
 * Upserts of D1's executions rows, a few rows per statement. Two writers send them (the execution
 * object's outbox flush and the project object's batched row flush), in either order: a snapshot
 * never replaces one that has seen more of the run's events, or as many events and more findings
 * (a deadline finding arrives with no event).
 */
export function executionRowStatements(db: D1Database, snapshots: readonly ExecutionSnapshot[]): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  const updates = EXECUTION_ROW_COLUMNS.filter((c) => c !== "project_id" && c !== "execution_id")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ");
  for (let i = 0; i < snapshots.length; i += EXECUTION_ROWS_PER_STATEMENT) {
    const chunk = snapshots.slice(i, i + EXECUTION_ROWS_PER_STATEMENT);
    const values: (string | number | null)[] = [];
    for (const s of chunk) {
      values.push(
        s.project_id,
        s.execution_id,
        s.name,
        s.tenant_id,
        s.parent_execution_id,
        s.status,
        s.started_at,
        s.last_event_at,
        s.finished_at,
        s.events,
        s.findings,
        s.run_status ?? null,
        s.duration_ms ?? null,
        s.cost_usd ?? null,
        s.llm_calls ?? null,
        s.tool_calls ?? null,
        s.failed_calls ?? null,
        s.tokens ?? null,
      );
    }
    const row = `(${EXECUTION_ROW_COLUMNS.map(() => "?").join(", ")})`;
    statements.push(
      db
        .prepare(
          `INSERT INTO executions (${EXECUTION_ROW_COLUMNS.join(", ")}) VALUES ${chunk.map(() => row).join(", ")}
           ON CONFLICT (project_id, execution_id) DO UPDATE SET ${updates}
           WHERE excluded.events > executions.events
              OR (excluded.events = executions.events AND excluded.findings >= executions.findings)`,
        )
        .bind(...values),
    );
  }
  return statements;
}

/**
 * A recurrence is a regression when it comes from the fixed release itself or a later one, or,
 * when the execution names no known release, when it was observed after the fix shipped.
 */
function isLaterRecurrence(prior: GroupBefore, observedAt: number, release: string | null, releaseShippedAt: number | null): boolean {
  if (release !== null && release === prior.resolved_in_release) return true;
  if (release !== null && releaseShippedAt !== null) return releaseShippedAt >= prior.fix_shipped_at!;
  if (release !== null && prior.resolved_in_release !== null) {
    const order = compareVersions(release, prior.resolved_in_release);
    if (order !== null) return order >= 0;
  }
  return observedAt >= prior.fix_shipped_at!;
}

/** Orders dotted numeric versions ("1.4.0", "v2.10"); null when either is not one. */
export function compareVersions(a: string, b: string): number | null {
  const parse = (v: string) => (/^v?\d+(\.\d+)*$/.test(v) ? v.replace(/^v/, "").split(".").map(Number) : null);
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return null;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function escalates(prior: GroupBefore, severity: string, newOccurrences: number): boolean {
  if (SEVERITY_ORDER.indexOf(severity) > SEVERITY_ORDER.indexOf(prior.archived_severity ?? prior.severity)) return true;
  const atArchive = prior.archived_occurrences ?? prior.occurrences;
  const since = prior.occurrences + newOccurrences - atArchive;
  return since >= Math.max(atArchive, ESCALATION_MIN_NEW_OCCURRENCES);
}
