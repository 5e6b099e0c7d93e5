// One idempotent, versioned migrate() for both object kinds. Steps run in order, once each, and a
// step that shipped is never edited: changes are new steps. Steps are tolerant (IF NOT EXISTS,
// columns added only when missing) so every state an earlier build could have left converges.

export type MigrationStep = string | ((sql: SqlStorage) => void);

/**
 * `freshSchema`, when given, creates the current schema in one go for a brand-new object (a test
 * checks it equals the result of every step): new objects are made constantly, one per execution.
 */
export function runMigrations(sql: SqlStorage, steps: readonly MigrationStep[], freshSchema?: string): void {
  const fresh = sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").toArray().length === 0;
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  if (fresh && freshSchema !== undefined) {
    sql.exec(freshSchema);
    sql.exec("INSERT INTO schema_version (version) VALUES (?)", steps.length);
    return;
  }
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

/** Tables with their columns and the indexes, for checking a fresh schema against the migrated one. */
export function describeSchema(sql: SqlStorage): string {
  const tables = sql
    .exec<{ name: string; type: string }>("SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY type, name")
    .toArray();
  return tables
    .map((t) =>
      t.type === "table"
        ? `${t.name}(${sql
            .exec<{ name: string; type: string; notnull: number; pk: number }>(`PRAGMA table_info(${t.name})`)
            .toArray()
            .map((c) => `${c.name} ${c.type} ${c.notnull} ${c.pk}`)
            .sort()
            .join(", ")})`
        : `${t.type} ${t.name}`,
    )
    .join("\n");
}
