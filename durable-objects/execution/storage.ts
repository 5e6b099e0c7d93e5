// The execution object's SQLite schema, created by one idempotent, versioned migrate(). Each step
// runs once; re-running is a no-op. Documented in storage-schema.md.

import type { MigrationStep } from "../shared/migrate.ts";
import { addColumnIfMissing, runMigrations } from "../shared/migrate.ts";

const MIGRATIONS: readonly MigrationStep[] = [
  // 1: as first shipped.
  `CREATE TABLE execution (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     project_id TEXT NOT NULL, execution_id TEXT NOT NULL,
     name TEXT, tenant_id TEXT, parent_execution_id TEXT, release TEXT, environment TEXT, policy TEXT,
     started_at INTEGER NOT NULL, explicit_start INTEGER NOT NULL, last_event_at INTEGER NOT NULL,
     finished_at INTEGER, status TEXT NOT NULL, steps INTEGER NOT NULL, events INTEGER NOT NULL,
     findings INTEGER NOT NULL, halt TEXT, max_wall_seconds REAL, halt_on TEXT NOT NULL
   );
   CREATE TABLE events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     ts INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX events_by_time ON events (ts, seq);
   CREATE TABLE findings (
     failure_class TEXT NOT NULL, signature TEXT NOT NULL, severity TEXT NOT NULL,
     first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, occurrences INTEGER NOT NULL,
     first_event_id TEXT NOT NULL, detail TEXT NOT NULL,
     PRIMARY KEY (failure_class, signature)
   );
   CREATE TABLE detector_state (failure_class TEXT PRIMARY KEY, state TEXT NOT NULL);
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     failure_class TEXT NOT NULL, signature TEXT NOT NULL, severity TEXT NOT NULL,
     ts INTEGER NOT NULL, new_execution INTEGER NOT NULL, detail TEXT NOT NULL
   );
   CREATE TABLE timers (kind TEXT PRIMARY KEY, due_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);`,
  // 2: the stall deadline's server clock, the shared outbox's execution column, and notifications
  // waiting for the project object.
  (sql) => {
    addColumnIfMissing(sql, "execution", "started_arrival", "INTEGER");
    addColumnIfMissing(sql, "outbox", "execution_id", "TEXT NOT NULL DEFAULT ''");
    sql.exec("UPDATE outbox SET execution_id = (SELECT execution_id FROM execution WHERE singleton = 1) WHERE execution_id = ''");
    sql.exec("CREATE TABLE IF NOT EXISTS pending_notifications (id INTEGER PRIMARY KEY AUTOINCREMENT, intents TEXT NOT NULL)");
  },
  // 3: the run's incremental metrics record (run-metrics.ts): one JSON row, written with the events.
  `CREATE TABLE IF NOT EXISTS run_metrics (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), metrics TEXT NOT NULL);`,
  // 4: which ingest call stored which events, as seq ranges: the project object counts a batch's
  // signals once by (execution, batch) instead of a row per signal (project-object.ts observe).
  `CREATE TABLE IF NOT EXISTS event_batches (first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL);`,
];

/** The current schema in one statement, for new objects (equal to running every step: tested). */
export const FRESH_EXECUTION_SCHEMA = `CREATE TABLE execution (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     project_id TEXT NOT NULL, execution_id TEXT NOT NULL,
     name TEXT, tenant_id TEXT, parent_execution_id TEXT, release TEXT, environment TEXT, policy TEXT,
     started_at INTEGER NOT NULL, explicit_start INTEGER NOT NULL, last_event_at INTEGER NOT NULL,
     finished_at INTEGER, status TEXT NOT NULL, steps INTEGER NOT NULL, events INTEGER NOT NULL,
     findings INTEGER NOT NULL, halt TEXT, max_wall_seconds REAL, halt_on TEXT NOT NULL, started_arrival INTEGER
   );
   CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, body TEXT NOT NULL);
   CREATE INDEX events_by_time ON events (ts, seq);
   CREATE TABLE findings (
     failure_class TEXT NOT NULL, signature TEXT NOT NULL, severity TEXT NOT NULL,
     first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, occurrences INTEGER NOT NULL,
     first_event_id TEXT NOT NULL, detail TEXT NOT NULL,
     PRIMARY KEY (failure_class, signature)
   );
   CREATE TABLE detector_state (failure_class TEXT PRIMARY KEY, state TEXT NOT NULL);
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     failure_class TEXT NOT NULL, signature TEXT NOT NULL, severity TEXT NOT NULL,
     ts INTEGER NOT NULL, new_execution INTEGER NOT NULL, detail TEXT NOT NULL, execution_id TEXT NOT NULL DEFAULT ''
   );
   CREATE TABLE timers (kind TEXT PRIMARY KEY, due_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE pending_notifications (id INTEGER PRIMARY KEY AUTOINCREMENT, intents TEXT NOT NULL);
   CREATE TABLE run_metrics (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), metrics TEXT NOT NULL);
   CREATE TABLE event_batches (first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL);`;

export function migrateExecutionStorage(sql: SqlStorage): void {
  runMigrations(sql, MIGRATIONS, FRESH_EXECUTION_SCHEMA);
}

/** Every step from nothing: what an object that lived through each release has. */
export function migrateExecutionStorageStepByStep(sql: SqlStorage): void {
  runMigrations(sql, MIGRATIONS);
}
