// The execution object's SQLite schema, created by one idempotent, versioned migrate(). Each step
// runs once; re-running is a no-op. Documented in storage-schema.md.

import { OUTBOX_TABLE_SQL } from "../shared/outbox.ts";

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE execution (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     project_id TEXT NOT NULL, execution_id TEXT NOT NULL,
     name TEXT, tenant_id TEXT, parent_execution_id TEXT, release TEXT, environment TEXT, policy TEXT,
     started_at INTEGER NOT NULL, explicit_start INTEGER NOT NULL, last_event_at INTEGER NOT NULL,
     finished_at INTEGER, status TEXT NOT NULL, steps INTEGER NOT NULL, events INTEGER NOT NULL,
     findings INTEGER NOT NULL, halt TEXT, max_wall_seconds REAL, halt_on TEXT NOT NULL,
     started_arrival INTEGER
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
   ${OUTBOX_TABLE_SQL}
   CREATE TABLE timers (kind TEXT PRIMARY KEY, due_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);`,
];

export function migrateExecutionStorage(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const current = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0]?.version ?? 0;
  if (current === 0) sql.exec("INSERT INTO schema_version (version) VALUES (0)");
  for (let version = current; version < MIGRATIONS.length; version++) {
    sql.exec(MIGRATIONS[version]!);
    sql.exec("UPDATE schema_version SET version = ?", version + 1);
  }
}
