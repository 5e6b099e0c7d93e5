// One idempotent, versioned migrate() for both object kinds. Steps run in order, once each, and a
// step that shipped is never edited: changes are new steps. Steps are tolerant (IF NOT EXISTS,
// columns added only when missing) so every state an earlier build could have left converges.

export type MigrationStep = string | ((sql: SqlStorage) => void);

export function runMigrations(sql: SqlStorage, steps: readonly MigrationStep[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const current = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0]?.version ?? 0;
  if (current === 0) sql.exec("INSERT INTO schema_version (version) VALUES (0)");
  for (let version = current; version < steps.length; version++) {
    const step = steps[version]!;
    if (typeof step === "string") sql.exec(step);
    else step(sql);
    sql.exec("UPDATE schema_version SET version = ?", version + 1);
  }
}

export function addColumnIfMissing(sql: SqlStorage, table: string, column: string, definition: string): void {
  const has = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray().some((c) => c.name === column);
  if (!has) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}
