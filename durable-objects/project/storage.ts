// The project object's SQLite schema, created by one idempotent, versioned migrate().
// Documented in storage-schema.md.
import type { MigrationStep } from "../shared/migrate.ts";
import { runMigrations } from "../shared/migrate.ts";
import { OUTBOX_TABLE_SQL } from "../shared/outbox.ts";

/** Step 2: project-wide detection: windows, baselines, topology, outbox and timers. */
const PROJECT_WIDE_TABLES_SQL = `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS signal_seen (event_id TEXT NOT NULL, kind TEXT NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (event_id, kind));
   CREATE INDEX IF NOT EXISTS signal_seen_by_time ON signal_seen (ts);
   CREATE TABLE IF NOT EXISTS detector_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS fired_once (key TEXT PRIMARY KEY, ts INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS finding_members (failure_class TEXT NOT NULL, signature TEXT NOT NULL, execution_id TEXT NOT NULL, ts INTEGER NOT NULL,
     PRIMARY KEY (failure_class, signature, execution_id));
   ${OUTBOX_TABLE_SQL.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")}
   CREATE TABLE IF NOT EXISTS timers (kind TEXT PRIMARY KEY, due_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);

   CREATE TABLE IF NOT EXISTS provider_errors (event_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, provider TEXT NOT NULL, error_class TEXT NOT NULL,
     tenant_key TEXT NOT NULL, execution_id TEXT NOT NULL);
   CREATE INDEX IF NOT EXISTS provider_errors_by_key ON provider_errors (provider, error_class, ts);
   CREATE TABLE IF NOT EXISTS hitl_responses (event_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, execution_id TEXT NOT NULL, response_kind TEXT NOT NULL);
   CREATE INDEX IF NOT EXISTS hitl_responses_by_time ON hitl_responses (ts);
   CREATE TABLE IF NOT EXISTS execution_costs (execution_id TEXT PRIMARY KEY, workload TEXT NOT NULL, first_ts INTEGER NOT NULL, cost_usd REAL NOT NULL);
   CREATE INDEX IF NOT EXISTS execution_costs_by_workload ON execution_costs (workload, first_ts);
   CREATE TABLE IF NOT EXISTS model_usage (bucket INTEGER NOT NULL, model TEXT NOT NULL, calls INTEGER NOT NULL, PRIMARY KEY (bucket, model));
   CREATE TABLE IF NOT EXISTS lexical_profile (bucket INTEGER PRIMARY KEY, vector TEXT NOT NULL, samples INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS drift_baseline (kind TEXT PRIMARY KEY, data TEXT NOT NULL, created_at INTEGER NOT NULL, samples INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS tool_shapes (tool TEXT NOT NULL, shape_key TEXT NOT NULL, shape TEXT NOT NULL, calls INTEGER NOT NULL, first_ts INTEGER NOT NULL,
     PRIMARY KEY (tool, shape_key));

   CREATE TABLE IF NOT EXISTS topology_executions (execution_id TEXT PRIMARY KEY, parent_execution_id TEXT, name TEXT, agent TEXT,
     status TEXT NOT NULL DEFAULT 'running', started_ts INTEGER, finished_ts INTEGER, updated_ts INTEGER NOT NULL);
   CREATE INDEX IF NOT EXISTS topology_executions_by_parent ON topology_executions (parent_execution_id);
   CREATE TABLE IF NOT EXISTS topology_handoffs (event_id TEXT PRIMARY KEY, execution_id TEXT NOT NULL, from_agent TEXT NOT NULL, to_agent TEXT NOT NULL,
     child_execution_id TEXT, ts INTEGER NOT NULL);
   CREATE INDEX IF NOT EXISTS topology_handoffs_by_execution ON topology_handoffs (execution_id);
   CREATE INDEX IF NOT EXISTS topology_handoffs_by_child ON topology_handoffs (child_execution_id);`;

/** Step 3: webhook notifications and their delivery queue. */
const WEBHOOK_TABLES_SQL = `CREATE TABLE IF NOT EXISTS notifications_seen (key TEXT PRIMARY KEY, ts INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS webhook_deliveries (
     id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL, event TEXT NOT NULL, payload TEXT NOT NULL,
     status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER,
     created_at INTEGER NOT NULL, delivered_at INTEGER, last_status INTEGER, last_error TEXT);
   CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
   CREATE INDEX IF NOT EXISTS webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at DESC);`;

const MIGRATIONS: readonly MigrationStep[] = [
  // 1: as first shipped.
  `CREATE TABLE ingest_health (
     hour INTEGER NOT NULL,            -- epoch ms of the start of the hour
     code TEXT NOT NULL,               -- '' for the totals row, else a rejection code
     accepted INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
     duplicates INTEGER NOT NULL DEFAULT 0, ignored INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (hour, code)
   );`,
  PROJECT_WIDE_TABLES_SQL,
  WEBHOOK_TABLES_SQL,
  // 4: repair for storage an unreleased build left at step 2 without the project-wide tables;
  // steps 2 and 3 are idempotent, so running them again is a no-op everywhere else.
  (sql) => {
    sql.exec(PROJECT_WIDE_TABLES_SQL);
    sql.exec(WEBHOOK_TABLES_SQL);
  },
  // 5: D1 executions rows handed over by the Worker, waiting for the next batched write to D1.
  `CREATE TABLE IF NOT EXISTS execution_rows (
     execution_id TEXT PRIMARY KEY, events INTEGER NOT NULL, findings INTEGER NOT NULL, snapshot TEXT NOT NULL
   );`,
  // 6: signal batches applied, one row per (execution, batch) instead of one per signal in
  // signal_seen, which stays for duplicates whose batch is not known whole (observe).
  `CREATE TABLE IF NOT EXISTS batch_seen (
     execution_id TEXT NOT NULL, batch INTEGER NOT NULL, ts INTEGER NOT NULL, whole INTEGER NOT NULL,
     PRIMARY KEY (execution_id, batch)
   );
   CREATE INDEX IF NOT EXISTS batch_seen_by_time ON batch_seen (ts);`,
];

export function migrateProjectStorage(sql: SqlStorage): void {
  runMigrations(sql, MIGRATIONS);
}

/**
 * How long window rows are kept: beyond every window a setting can ask for (two cost windows of at
 * most 7 days each), so purging never changes a detection.
 */
export const WINDOW_RETENTION_MS = 15 * 24 * 3_600_000;
/** Topology outlives windows: a child may report long after its parent. */
export const TOPOLOGY_RETENTION_MS = 35 * 24 * 3_600_000;
