// The project object's SQLite schema, created by one idempotent, versioned migrate().
// Documented in storage-schema.md.
import { OUTBOX_TABLE_SQL } from "../shared/outbox.ts";

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ingest_health (
     hour INTEGER NOT NULL, code TEXT NOT NULL,
     accepted INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
     duplicates INTEGER NOT NULL DEFAULT 0, ignored INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (hour, code)
   );
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE signal_seen (event_id TEXT NOT NULL, kind TEXT NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (event_id, kind));
   CREATE INDEX signal_seen_by_time ON signal_seen (ts);
   CREATE TABLE detector_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE fired_once (key TEXT PRIMARY KEY, ts INTEGER NOT NULL);
   CREATE TABLE finding_members (failure_class TEXT NOT NULL, signature TEXT NOT NULL, execution_id TEXT NOT NULL, ts INTEGER NOT NULL,
     PRIMARY KEY (failure_class, signature, execution_id));
   ${OUTBOX_TABLE_SQL}
   CREATE TABLE timers (kind TEXT PRIMARY KEY, due_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);

   CREATE TABLE provider_errors (event_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, provider TEXT NOT NULL, error_class TEXT NOT NULL,
     tenant_key TEXT NOT NULL, execution_id TEXT NOT NULL);
   CREATE INDEX provider_errors_by_key ON provider_errors (provider, error_class, ts);
   CREATE TABLE hitl_responses (event_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, execution_id TEXT NOT NULL, response_kind TEXT NOT NULL);
   CREATE INDEX hitl_responses_by_time ON hitl_responses (ts);
   CREATE TABLE execution_costs (execution_id TEXT PRIMARY KEY, workload TEXT NOT NULL, first_ts INTEGER NOT NULL, cost_usd REAL NOT NULL);
   CREATE INDEX execution_costs_by_workload ON execution_costs (workload, first_ts);
   CREATE TABLE model_usage (bucket INTEGER NOT NULL, model TEXT NOT NULL, calls INTEGER NOT NULL, PRIMARY KEY (bucket, model));
   CREATE TABLE lexical_profile (bucket INTEGER PRIMARY KEY, vector TEXT NOT NULL, samples INTEGER NOT NULL);
   CREATE TABLE drift_baseline (kind TEXT PRIMARY KEY, data TEXT NOT NULL, created_at INTEGER NOT NULL, samples INTEGER NOT NULL);
   CREATE TABLE tool_shapes (tool TEXT NOT NULL, shape_key TEXT NOT NULL, shape TEXT NOT NULL, calls INTEGER NOT NULL, first_ts INTEGER NOT NULL,
     PRIMARY KEY (tool, shape_key));

   CREATE TABLE topology_executions (execution_id TEXT PRIMARY KEY, parent_execution_id TEXT, name TEXT, agent TEXT,
     status TEXT NOT NULL DEFAULT 'running', started_ts INTEGER, finished_ts INTEGER, updated_ts INTEGER NOT NULL);
   CREATE INDEX topology_executions_by_parent ON topology_executions (parent_execution_id);
   CREATE TABLE topology_handoffs (event_id TEXT PRIMARY KEY, execution_id TEXT NOT NULL, from_agent TEXT NOT NULL, to_agent TEXT NOT NULL,
     child_execution_id TEXT, ts INTEGER NOT NULL);
   CREATE INDEX topology_handoffs_by_execution ON topology_handoffs (execution_id);
   CREATE INDEX topology_handoffs_by_child ON topology_handoffs (child_execution_id);`,
];

export function migrateProjectStorage(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const current = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0]?.version ?? 0;
  if (current === 0) sql.exec("INSERT INTO schema_version (version) VALUES (0)");
  for (let version = current; version < MIGRATIONS.length; version++) {
    sql.exec(MIGRATIONS[version]!);
    sql.exec("UPDATE schema_version SET version = ?", version + 1);
  }
}

/**
 * How long window rows are kept: beyond every window a setting can ask for (two cost windows of at
 * most 7 days each), so purging never changes a detection.
 */
export const WINDOW_RETENTION_MS = 15 * 24 * 3_600_000;
/** Topology outlives windows: a child may report long after its parent. */
export const TOPOLOGY_RETENTION_MS = 35 * 24 * 3_600_000;
