// Moves findings from a Durable Object's outbox (execution or project object) into D1's failure
// groups, exactly once.
// Each flush is one D1 batch (one transaction): every statement is guarded by the source's cursor,
// and the last one advances it, so a flush retried after a crash between D1's commit and the
// outbox delete changes nothing. Writes are aggregated per group: never a query per event.
import type { Severity } from "../../workers/core/failure-classes.ts";
import { maxSeverity } from "../../workers/core/failure-classes.ts";
import { groupIdFor } from "../../workers/core/group-id.ts";

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

/** Flushes up to FLUSH_ROWS outbox rows (and the snapshot, if any). Returns true if rows remain. */
export async function flushOutbox(sql: SqlStorage, db: D1Database, from: OutboxSource): Promise<boolean> {
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

  const guard = "NOT EXISTS (SELECT 1 FROM outbox_cursors WHERE source = ? AND last_seq >= ?)";
  const statements: D1PreparedStatement[] = [];
  for (const g of groups.values()) {
    const groupId = ids.get(`${g.cls}\u0000${g.sig}`)!;
    statements.push(
      db
        .prepare(
          `INSERT INTO failure_groups (id, project_id, failure_class, signature, status, severity, first_seen, last_seen,
             occurrences, executions, last_execution_id, detail)
           SELECT ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ? WHERE ${guard}
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
        .bind(groupId, projectId, g.cls, g.sig, g.severity, g.first, g.last, g.occurrences, g.newExecution, g.execution, g.detail, source, lastSeq),
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
  if (snapshot) {
    const execution = snapshot;
    statements.push(
    db
      .prepare(
        `INSERT INTO executions (project_id, execution_id, name, tenant_id, parent_execution_id, status, started_at, last_event_at,
           finished_at, events, findings)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (project_id, execution_id) DO UPDATE SET name = excluded.name, tenant_id = excluded.tenant_id,
           parent_execution_id = excluded.parent_execution_id, status = excluded.status, started_at = excluded.started_at,
           last_event_at = excluded.last_event_at, finished_at = excluded.finished_at, events = excluded.events,
           findings = excluded.findings`,
      )
      .bind(
        execution.project_id,
        execution.execution_id,
        execution.name,
        execution.tenant_id,
        execution.parent_execution_id,
        execution.status,
        execution.started_at,
        execution.last_event_at,
        execution.finished_at,
        execution.events,
        execution.findings,
      ),
    );
  }
  if (rows.length > 0) {
    statements.push(
      db
        .prepare(
          "INSERT INTO outbox_cursors (source, last_seq) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET last_seq = max(outbox_cursors.last_seq, excluded.last_seq)",
        )
        .bind(source, lastSeq),
    );
  }
  if (statements.length === 0) return false;
  await db.batch(statements);
  if (rows.length > 0) sql.exec("DELETE FROM outbox WHERE seq <= ?", lastSeq);
  return more;
}
