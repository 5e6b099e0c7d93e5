// Storage written by earlier builds converges to the current schema: an execution object at the
// first shipped version gains the later columns and tables, and a project object created by the
// first build gains the project-wide tables, without losing data.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { migrateExecutionStorage, migrateExecutionStorageStepByStep } from "../execution/storage.ts";
import { describeSchema } from "./migrate.ts";
import { migrateProjectStorage } from "../project/storage.ts";

const columns = (sql: SqlStorage, table: string) => sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray().map((c) => c.name);

describe("object storage migrations", () => {
  it("bring an execution object from the first shipped schema to the current one", async ({ expect }) => {
    const stub = env.EXECUTION.get(env.EXECUTION.idFromName("migration-test:exec"));
    await runInDurableObject(stub, (_obj, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE IF EXISTS pending_notifications; DROP TABLE IF EXISTS run_metrics; DROP TABLE outbox; DROP TABLE execution");
      sql.exec(`CREATE TABLE execution (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), project_id TEXT NOT NULL, execution_id TEXT NOT NULL,
        name TEXT, tenant_id TEXT, parent_execution_id TEXT, release TEXT, environment TEXT, policy TEXT, started_at INTEGER NOT NULL,
        explicit_start INTEGER NOT NULL, last_event_at INTEGER NOT NULL, finished_at INTEGER, status TEXT NOT NULL, steps INTEGER NOT NULL,
        events INTEGER NOT NULL, findings INTEGER NOT NULL, halt TEXT, max_wall_seconds REAL, halt_on TEXT NOT NULL)`);
      sql.exec(`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, failure_class TEXT NOT NULL, signature TEXT NOT NULL,
        severity TEXT NOT NULL, ts INTEGER NOT NULL, new_execution INTEGER NOT NULL, detail TEXT NOT NULL)`);
      sql.exec("INSERT INTO execution VALUES (1, 'p', 'old-run', NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 1, NULL, 'running', 0, 1, 1, NULL, NULL, '[]')");
      sql.exec("INSERT INTO outbox (failure_class, signature, severity, ts, new_execution, detail) VALUES ('crash', 'X', 'high', 1, 1, '{}')");
      sql.exec("UPDATE schema_version SET version = 1");
      migrateExecutionStorage(sql);
      expect(columns(sql, "execution")).toContain("started_arrival");
      expect(sql.exec<{ execution_id: string }>("SELECT execution_id FROM outbox").one().execution_id).toBe("old-run");
      expect(columns(sql, "pending_notifications")).toEqual(["id", "intents"]);
      migrateExecutionStorage(sql);
    });
  });

  it("bring a project object from the first shipped schema to the current one", async ({ expect }) => {
    const stub = env.PROJECT.get(env.PROJECT.idFromName("migration-test"));
    await runInDurableObject(stub, (_obj, state) => {
      const sql = state.storage.sql;
      for (const t of ["meta", "signal_seen", "detector_state", "fired_once", "finding_members", "outbox", "timers", "provider_errors", "notifications_seen", "webhook_deliveries"]) {
        sql.exec(`DROP TABLE IF EXISTS ${t}`);
      }
      sql.exec("INSERT INTO ingest_health (hour, code, accepted) VALUES (0, '', 7)");
      sql.exec("UPDATE schema_version SET version = 1");
      migrateProjectStorage(sql);
      expect(columns(sql, "meta")).toEqual(["key", "value"]);
      expect(columns(sql, "webhook_deliveries")).toContain("next_attempt_at");
      expect(sql.exec<{ accepted: number }>("SELECT accepted FROM ingest_health").one().accepted).toBe(7);
    });
  });

  it("create the same schema for a new execution object in one go as step by step", async ({ expect }) => {
    const oneGo = env.EXECUTION.get(env.EXECUTION.idFromName("migration-test:fresh"));
    const stepwise = env.EXECUTION.get(env.EXECUTION.idFromName("migration-test:stepwise"));
    const fresh = await runInDurableObject(oneGo, (_o, state) => describeSchema(state.storage.sql));
    const stepped = await runInDurableObject(stepwise, (_o, state) => {
      const sql = state.storage.sql;
      for (const t of sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray()) sql.exec(`DROP TABLE ${t.name}`);
      migrateExecutionStorageStepByStep(sql);
      return describeSchema(sql);
    });
    expect(fresh).toBe(stepped);
    expect(fresh).toContain("started_arrival");
  });
});
