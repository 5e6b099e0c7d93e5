// One Durable Object per project: the project-wide view that no single execution has. For now it
// keeps ingest health (accepted, rejected, duplicates, ignored) in hourly buckets; the
// cross-execution windows of later detectors live here too. Stored shapes: storage-schema.md.
import { DurableObject } from "cloudflare:workers";

export interface IngestCounts {
  accepted: number;
  rejected: number;
  duplicates: number;
  ignored: number;
}

export interface IngestHealth extends IngestCounts {
  since: string;
  hours: number;
  rejected_by_code: Record<string, number>;
}

const HOUR_MS = 3_600_000;
/** Buckets older than this are dropped when new ones are written: 35 days covers monthly views. */
const RETENTION_MS = 35 * 24 * HOUR_MS;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ingest_health (
     hour INTEGER NOT NULL,            -- epoch ms of the start of the hour
     code TEXT NOT NULL,               -- '' for the totals row, else a rejection code
     accepted INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
     duplicates INTEGER NOT NULL DEFAULT 0, ignored INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (hour, code)
   );`,
];

export class ProjectObject extends DurableObject<Env> {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => this.#migrate());
  }

  #migrate(): void {
    this.#sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const current = this.#sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0]?.version ?? 0;
    if (current === 0) this.#sql.exec("INSERT INTO schema_version (version) VALUES (0)");
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.#sql.exec(MIGRATIONS[v]!);
      this.#sql.exec("UPDATE schema_version SET version = ?", v + 1);
    }
  }

  /** One call per ingest request (never per event). */
  async recordIngest(counts: IngestCounts, rejectedByCode: Record<string, number>, at: number = Date.now()): Promise<void> {
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const upsert = `INSERT INTO ingest_health (hour, code, accepted, rejected, duplicates, ignored) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (hour, code) DO UPDATE SET accepted = accepted + excluded.accepted, rejected = rejected + excluded.rejected,
        duplicates = duplicates + excluded.duplicates, ignored = ignored + excluded.ignored`;
    this.#sql.exec(upsert, hour, "", counts.accepted, counts.rejected, counts.duplicates, counts.ignored);
    for (const [code, n] of Object.entries(rejectedByCode)) this.#sql.exec(upsert, hour, code, 0, n, 0, 0);
    this.#sql.exec("DELETE FROM ingest_health WHERE hour < ?", hour - RETENTION_MS);
  }

  async ingestHealth(hours: number, now: number = Date.now()): Promise<IngestHealth> {
    const since = Math.floor((now - hours * HOUR_MS) / HOUR_MS) * HOUR_MS;
    const rows = this.#sql
      .exec<{ code: string; accepted: number; rejected: number; duplicates: number; ignored: number }>(
        "SELECT code, sum(accepted) AS accepted, sum(rejected) AS rejected, sum(duplicates) AS duplicates, sum(ignored) AS ignored FROM ingest_health WHERE hour >= ? GROUP BY code",
        since,
      )
      .toArray();
    const total = rows.find((r) => r.code === "") ?? { accepted: 0, rejected: 0, duplicates: 0, ignored: 0 };
    return {
      since: new Date(since).toISOString(),
      hours,
      accepted: total.accepted,
      rejected: total.rejected,
      duplicates: total.duplicates,
      ignored: total.ignored,
      rejected_by_code: Object.fromEntries(rows.filter((r) => r.code !== "").map((r) => [r.code, r.rejected])),
    };
  }
}
