// One Durable Object per project: the view no single execution has. It receives one `observe` call
// per ingest request with that request's project signals, keeps sliding windows and baselines in its
// SQLite (indexed, rolled by one alarm), runs the project-wide detectors, and hands findings to D1
// through the same exactly-once outbox as the execution objects. It also keeps ingest health and the
// multi-agent topology. Stored shapes: storage-schema.md beside this file.
import { DurableObject } from "cloudflare:workers";
import type { DetectorSettings } from "../../workers/core/detector-settings.ts";
import { CLASS_INFO } from "../../workers/core/failure-classes.ts";
import type { NotificationIntent } from "../shared/notifications.ts";
import type { ExecutionSnapshot } from "../shared/outbox.ts";
import { executionRowStatements, flushOutbox } from "../shared/outbox.ts";
import type { driftWindowSummary } from "./drift-baseline.ts";
import { snapshotDriftBaseline } from "./drift-baseline.ts";
import { PROJECT_DETECTORS } from "./detectors/index.ts";
import type { ProjectDetectorContext, ProjectFinding } from "./detectors/types.ts";
import type { ProjectSignal, SignalGroup } from "./signals.ts";
import { TOPOLOGY_RETENTION_MS, WINDOW_RETENTION_MS, migrateProjectStorage } from "./storage.ts";
import type { TopologyExecution } from "./topology.ts";
import { MAX_SUBTREE, recordTopology, rootOf, subtreeOf } from "./topology.ts";
import type { DeliveryView } from "./webhook-delivery.ts";
import { listDeliveries, projectWebhooks, queueDigest, queueGroupNotifications, sendDueDeliveries } from "./webhook-delivery.ts";

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

export interface TopologyNode {
  execution_id: string;
  name: string | null;
  agent: string | null;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  children: TopologyNode[];
}

export interface TopologyView {
  root_execution_id: string;
  nodes: number;
  truncated: boolean;
  tree: TopologyNode;
  handoffs: { execution_id: string; from_agent: string; to_agent: string; child_execution_id: string | null }[];
}

const HOUR_MS = 3_600_000;
/** Ingest-health buckets older than this are dropped as new ones are written. */
const HEALTH_RETENTION_MS = 35 * 24 * HOUR_MS;
const PURGE_EVERY_MS = HOUR_MS;
const SEEN_ROWS = 33;
const FLUSH_RETRY_MAX_MS = 5 * 60_000;
/** How long executions rows gather before one D1 batch writes them (the D1 list's lag). */
const EXECUTION_ROWS_DELAY_MS = 1_000;
/** Rows per D1 batch: 5 per statement, so at most 100 statements. */
const EXECUTION_ROWS_PER_FLUSH = 500;
/**
 * Rows deleted per table per purge alarm. A DO request has 30 s of CPU; deleting a few thousand
 * indexed rows takes milliseconds, and a backlog simply continues at the next hourly alarm.
 */
const PURGE_BATCH = 5_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class ProjectObject extends DurableObject<Env> {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => migrateProjectStorage(this.#sql));
  }

  /**
   * Applies one ingest request's signals to the project-wide windows, each signal once (so every
   * window counts an event once, however often it is sent); durable when it returns. `groups`
   * (from the execution objects' answers) tell which batch stored each signal's event: a batch
   * stored by this very request is new unless a retry got here first, and is recorded with one
   * `batch_seen` row; duplicates of a batch applied whole are skipped. Everything else (a retry
   * of a batch never applied, which may carry only part of it, events stored before batches were
   * kept, or a call without groups) is checked signal by signal in `signal_seen`.
   */
  async observe(input: {
    projectId: string;
    settings: DetectorSettings;
    signals: readonly ProjectSignal[];
    groups?: readonly SignalGroup[];
  }): Promise<{ findings: number }> {
    let findings = 0;
    // Outside the transaction: the id is fixed, so keeping it even if the rest rolls back is right.
    this.#rememberProject(input.projectId);
    this.ctx.storage.transactionSync(() => {
      const now = Date.now();
      const groups = input.groups ?? [{ execution_id: "", batch: null, stored_now: false, indices: input.signals.map((_, i) => i) }];
      const apply = new Uint8Array(input.signals.length);
      const checkEach: number[] = [];
      for (const group of groups) {
        if (group.batch === null) {
          checkEach.push(...group.indices);
          continue;
        }
        if (group.stored_now) {
          const recorded = this.#sql
            .exec("INSERT INTO batch_seen (execution_id, batch, ts, whole) VALUES (?, ?, ?, 1) ON CONFLICT DO NOTHING RETURNING 1", group.execution_id, group.batch, now)
            .toArray().length;
          // Not recorded: a retry of this batch got here first and applied part of it signal by signal.
          if (recorded) for (const i of group.indices) apply[i] = 1;
          else checkEach.push(...group.indices);
          continue;
        }
        const whole = this.#sql
          .exec<{ whole: number }>("SELECT whole FROM batch_seen WHERE execution_id = ? AND batch = ?", group.execution_id, group.batch)
          .toArray()[0]?.whole;
        if (whole === 1) continue;
        // From now on this batch is only ever applied signal by signal, even when it arrives whole.
        this.#sql.exec("INSERT INTO batch_seen (execution_id, batch, ts, whole) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING", group.execution_id, group.batch, now);
        checkEach.push(...group.indices);
      }
      for (let i = 0; i < checkEach.length; i += SEEN_ROWS) {
        const chunk = checkEach.slice(i, i + SEEN_ROWS);
        const params: (string | number)[] = [];
        for (const at of chunk) {
          const s = input.signals[at]!;
          params.push(s.event_id, s.kind, s.ts);
        }
        const added = new Set<string>();
        for (const r of this.#sql.exec<{ event_id: string; kind: string }>(
          `INSERT INTO signal_seen (event_id, kind, ts) VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")} ON CONFLICT DO NOTHING RETURNING event_id, kind`,
          ...params,
        )) {
          added.add(`${r.event_id}\u0000${r.kind}`);
        }
        for (const at of chunk) {
          const s = input.signals[at]!;
          const key = `${s.event_id}\u0000${s.kind}`;
          // A signal twice in one chunk is inserted once: apply the first only.
          if (added.delete(key)) apply[at] = 1;
        }
      }
      const fresh = input.signals.filter((_, i) => apply[i] === 1);
      if (fresh.length === 0) return;
      recordTopology(this.#sql, fresh);
      for (const detector of PROJECT_DETECTORS) {
        const mine = fresh.filter((s) => detector.kinds.includes(s.kind));
        if (mine.length === 0) continue;
        detector.observe(mine, this.#context(input.settings, (f) => {
          this.#record(detector.failureClass, f);
          findings++;
        }));
      }
      if (findings > 0) this.#schedule("flush", Date.now());
      this.#schedule("purge", Date.now() + PURGE_EVERY_MS, true);
    });
    await this.#armAlarm();
    return { findings };
  }

  /** Whether this instance has stored its project id (it never changes; written outside transactions). */
  #projectRemembered = false;

  #rememberProject(projectId: string): void {
    if (this.#projectRemembered) return;
    this.#sql.exec("INSERT INTO meta (key, value) VALUES ('project_id', ?) ON CONFLICT (key) DO NOTHING", projectId);
    this.#projectRemembered = true;
  }

  /**
   * At most one call per ingest request (never per event), off the response path and coalesced by
   * the Worker (workers/ingest/project-handoff.ts): ingest health counts, and the D1 executions
   * rows of the runs the requests touched, written to D1 together by the alarm shortly after.
   */
  async recordIngest(
    counts: IngestCounts,
    rejectedByCode: Record<string, number>,
    rows: readonly ExecutionSnapshot[] = [],
    at: number = Date.now(),
  ): Promise<void> {
    if (rows.length > 0) {
      this.ctx.storage.transactionSync(() => {
        for (const row of rows) {
          this.#sql.exec(
            `INSERT INTO execution_rows (execution_id, events, findings, snapshot) VALUES (?, ?, ?, ?)
             ON CONFLICT (execution_id) DO UPDATE SET events = excluded.events, findings = excluded.findings, snapshot = excluded.snapshot
             WHERE excluded.events > execution_rows.events
                OR (excluded.events = execution_rows.events AND excluded.findings >= execution_rows.findings)`,
            row.execution_id,
            row.events,
            row.findings,
            JSON.stringify(row),
          );
        }
        this.#schedule("rows", at + EXECUTION_ROWS_DELAY_MS, true);
      });
      await this.#armAlarm();
    }
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const upsert = `INSERT INTO ingest_health (hour, code, accepted, rejected, duplicates, ignored) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (hour, code) DO UPDATE SET accepted = accepted + excluded.accepted, rejected = rejected + excluded.rejected,
        duplicates = duplicates + excluded.duplicates, ignored = ignored + excluded.ignored`;
    this.#sql.exec(upsert, hour, "", counts.accepted, counts.rejected, counts.duplicates, counts.ignored);
    for (const [code, n] of Object.entries(rejectedByCode)) this.#sql.exec(upsert, hour, code, 0, n, 0, 0);
    this.#sql.exec("DELETE FROM ingest_health WHERE hour < ?", hour - HEALTH_RETENTION_MS);
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

  /** The tree `executionId` belongs to, from its root; null when the project never saw it. */
  async topology(executionId: string): Promise<TopologyView | null> {
    const known = this.#sql.exec("SELECT 1 FROM topology_executions WHERE execution_id = ?", executionId).toArray().length > 0;
    if (!known) return null;
    const root = rootOf(this.#sql, executionId);
    const members = subtreeOf(this.#sql, root);
    const byParent = new Map<string | null, TopologyExecution[]>();
    for (const m of members) {
      const key = m.execution_id === root ? null : m.parent_execution_id;
      byParent.set(key, [...(byParent.get(key) ?? []), m]);
    }
    const build = (e: TopologyExecution): TopologyNode => ({
      execution_id: e.execution_id,
      name: e.name,
      agent: e.agent,
      status: e.status,
      started_at: iso(e.started_ts),
      finished_at: iso(e.finished_ts),
      children: (byParent.get(e.execution_id) ?? []).filter((c) => c.execution_id !== root).map(build),
    });
    const ids = members.map((m) => m.execution_id);
    const handoffs: TopologyView["handoffs"] = [];
    for (let i = 0; i < ids.length; i += 90) {
      const chunk = ids.slice(i, i + 90);
      for (const h of this.#sql.exec<{ execution_id: string; from_agent: string; to_agent: string; child_execution_id: string | null }>(
        `SELECT execution_id, from_agent, to_agent, child_execution_id FROM topology_handoffs WHERE execution_id IN (${chunk.map(() => "?").join(",")}) ORDER BY ts`,
        ...chunk,
      )) {
        handoffs.push({ ...h });
      }
    }
    return { root_execution_id: root, nodes: members.length, truncated: members.length >= MAX_SUBTREE, tree: build(members[0]!), handoffs };
  }

  /** Makes the current window the drift baseline (after an intended change of models or prompts). */
  async snapshotDriftBaseline(settings: DetectorSettings, now: number = Date.now()) {
    let summary: ReturnType<typeof driftWindowSummary> | null = null;
    this.ctx.storage.transactionSync(() => {
      summary = snapshotDriftBaseline(this.#sql, settings, now);
      this.#sql.exec("DELETE FROM detector_state WHERE key IN ('drift:model_mix', 'drift:lexical')");
    });
    return summary!;
  }

  /**
   * Notifications from a flush (new groups, regressions, escalations): fanned out to the matching
   * webhooks and stored before this returns; delivered by the alarm. Idempotent by intent key.
   */
  async notify(projectId: string, intents: readonly NotificationIntent[]): Promise<{ queued: number }> {
    const hooks = await projectWebhooks(this.env.DB, projectId);
    let queued = 0;
    this.#rememberProject(projectId);
    this.ctx.storage.transactionSync(() => {
      queued = queueGroupNotifications(this.#sql, projectId, hooks, intents);
      if (queued > 0) this.#schedule("deliver", Date.now());
    });
    await this.#armAlarm();
    return { queued };
  }

  /** A digest for the project's digest webhooks (idempotent by key). */
  async sendDigest(projectId: string, key: string, json: unknown, slack: unknown): Promise<{ queued: number }> {
    const hooks = await projectWebhooks(this.env.DB, projectId);
    let queued = 0;
    this.#rememberProject(projectId);
    this.ctx.storage.transactionSync(() => {
      queued = queueDigest(this.#sql, hooks, key, json, slack);
      if (queued > 0) this.#schedule("deliver", Date.now());
    });
    await this.#armAlarm();
    return { queued };
  }

  async webhookDeliveries(webhookId: string, limit = 50): Promise<DeliveryView[]> {
    return listDeliveries(this.#sql, webhookId, Math.min(Math.max(limit, 1), 200));
  }

  override async alarm(): Promise<void> {
    // The alarm that woke us is spent.
    this.#alarmAt = null;
    const now = Date.now();
    const due = this.#sql.exec<{ kind: string; attempts: number }>("SELECT kind, attempts FROM timers WHERE due_at <= ?", now).toArray();
    for (const timer of due) {
      if (timer.kind === "purge") this.#purge(now);
      if (timer.kind === "flush") await this.#flush(timer.attempts);
      if (timer.kind === "rows") await this.#flushExecutionRows(timer.attempts);
      if (timer.kind === "deliver") await this.#deliver();
    }
    await this.#armAlarm();
  }

  async #deliver(): Promise<void> {
    const projectId = this.#projectId();
    if (!projectId) return;
    const next = await sendDueDeliveries(this.#sql, this.env.DB, projectId);
    if (next === null) this.#sql.exec("DELETE FROM timers WHERE kind = 'deliver'");
    else this.#schedule("deliver", next);
  }

  #projectId(): string | undefined {
    return this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'project_id'").toArray()[0]?.value;
  }

  #context(settings: DetectorSettings, emit: (f: ProjectFinding) => void): ProjectDetectorContext {
    const sql = this.#sql;
    return {
      sql,
      settings,
      emit,
      state: {
        get<T>(key: string): T | undefined {
          const row = sql.exec<{ value: string }>("SELECT value FROM detector_state WHERE key = ?", key).toArray()[0];
          return row ? (JSON.parse(row.value) as T) : undefined;
        },
        set(key: string, value: unknown): void {
          sql.exec("INSERT INTO detector_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, JSON.stringify(value));
        },
        delete(key: string): void {
          sql.exec("DELETE FROM detector_state WHERE key = ?", key);
        },
      },
      claimOnce(key: string): boolean {
        return sql.exec("INSERT INTO fired_once (key, ts) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING ts", key, Date.now()).toArray().length > 0;
      },
    };
  }

  #record(failureClass: keyof typeof CLASS_INFO, f: ProjectFinding): void {
    const isNew =
      this.#sql
        .exec(
          "INSERT INTO finding_members (failure_class, signature, execution_id, ts) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING ts",
          failureClass,
          f.signature,
          f.execution_id,
          f.ts,
        )
        .toArray().length > 0;
    this.#sql.exec(
      "INSERT INTO outbox (execution_id, failure_class, signature, severity, ts, new_execution, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
      f.execution_id,
      failureClass,
      f.signature,
      f.severity ?? CLASS_INFO[failureClass].severity,
      f.ts,
      isNew ? 1 : 0,
      JSON.stringify(f.detail),
    );
  }

  async #flush(attempts: number): Promise<void> {
    const projectId = this.#projectId();
    if (!projectId) {
      this.#sql.exec("DELETE FROM timers WHERE kind = 'flush'");
      return;
    }
    try {
      const { more, intents } = await flushOutbox(this.#sql, this.env.DB, { projectId, source: `project:${projectId}`, snapshot: null });
      if (more) this.#schedule("flush", Date.now());
      else this.#sql.exec("DELETE FROM timers WHERE kind = 'flush'");
      if (intents.length > 0) await this.notify(projectId, intents);
    } catch (error) {
      this.#retryLater("flush", attempts, "project outbox flush to D1 failed; retrying", error);
    }
  }

  /** Writes waiting executions rows to D1, up to EXECUTION_ROWS_PER_FLUSH in one batch. */
  async #flushExecutionRows(attempts: number): Promise<void> {
    const waiting = this.#sql
      .exec<{ execution_id: string; events: number; findings: number; snapshot: string }>(
        "SELECT execution_id, events, findings, snapshot FROM execution_rows LIMIT ?",
        EXECUTION_ROWS_PER_FLUSH + 1,
      )
      .toArray();
    const more = waiting.length > EXECUTION_ROWS_PER_FLUSH;
    if (more) waiting.pop();
    if (waiting.length === 0) {
      this.#sql.exec("DELETE FROM timers WHERE kind = 'rows'");
      return;
    }
    try {
      await this.env.DB.batch(executionRowStatements(this.env.DB, waiting.map((w) => JSON.parse(w.snapshot) as ExecutionSnapshot)));
    } catch (error) {
      this.#retryLater("rows", attempts, "executions rows to D1 failed; retrying", error);
      return;
    }
    // A row that changed while D1 was being written stays for the next flush.
    this.ctx.storage.transactionSync(() => {
      for (const w of waiting) {
        this.#sql.exec("DELETE FROM execution_rows WHERE execution_id = ? AND events = ? AND findings = ?", w.execution_id, w.events, w.findings);
      }
      const left = this.#sql.exec("SELECT 1 FROM execution_rows LIMIT 1").toArray().length > 0;
      if (left) {
        this.#sql.exec(
          "INSERT INTO timers (kind, due_at, attempts) VALUES ('rows', ?, 0) ON CONFLICT (kind) DO UPDATE SET due_at = excluded.due_at, attempts = 0",
          more ? Date.now() : Date.now() + EXECUTION_ROWS_DELAY_MS,
        );
      } else {
        this.#sql.exec("DELETE FROM timers WHERE kind = 'rows'");
      }
    });
  }

  /** Reschedules a failed D1 write with doubling delays from 1 s, capped at 5 minutes. */
  #retryLater(kind: "flush" | "rows", attempts: number, message: string, error: unknown): void {
    const delay = Math.min(1000 * 2 ** attempts, FLUSH_RETRY_MAX_MS);
    console.warn(JSON.stringify({ message, attempts: attempts + 1, retry_in_ms: delay, error: String(error) }));
    this.#sql.exec(
      "INSERT INTO timers (kind, due_at, attempts) VALUES (?, ?, ?) ON CONFLICT (kind) DO UPDATE SET due_at = excluded.due_at, attempts = excluded.attempts",
      kind,
      Date.now() + delay,
      attempts + 1,
    );
  }

  /** Rolls every window: rows older than their retention go, a bounded number per run. */
  #purge(now: number): void {
    const windowCut = now - WINDOW_RETENTION_MS;
    const bucketCut = Math.floor(windowCut / (5 * 60_000));
    const topologyCut = now - TOPOLOGY_RETENTION_MS;
    const limited = (table: string, column: string, cut: number) =>
      this.#sql.exec(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? LIMIT ${PURGE_BATCH})`, cut);
    limited("signal_seen", "ts", windowCut);
    limited("batch_seen", "ts", windowCut);
    limited("provider_errors", "ts", windowCut);
    limited("hitl_responses", "ts", windowCut);
    limited("execution_costs", "first_ts", windowCut);
    limited("model_usage", "bucket", bucketCut);
    limited("lexical_profile", "bucket", bucketCut);
    limited("topology_handoffs", "ts", topologyCut);
    limited("topology_executions", "updated_ts", topologyCut);
    limited("finding_members", "ts", topologyCut);
    limited("fired_once", "ts", topologyCut);
    limited("notifications_seen", "ts", topologyCut);
    this.#sql.exec(
      `DELETE FROM webhook_deliveries WHERE rowid IN (SELECT rowid FROM webhook_deliveries WHERE status != 'pending' AND created_at < ? LIMIT ${PURGE_BATCH})`,
      now - 30 * 24 * HOUR_MS,
    );
    this.#schedule("purge", now + PURGE_EVERY_MS);
  }

  #schedule(kind: "flush" | "purge" | "deliver" | "rows", dueAt: number, keepExisting = false): void {
    this.#sql.exec(
      `INSERT INTO timers (kind, due_at, attempts) VALUES (?, ?, 0)
       ON CONFLICT (kind) DO ${keepExisting ? "NOTHING" : "UPDATE SET due_at = excluded.due_at"}`,
      kind,
      dueAt,
    );
  }

  /** The alarm this object has set, as far as it knows: saves a storage call per request. */
  #alarmAt: number | null | undefined = undefined;

  async #armAlarm(): Promise<void> {
    const next = this.#sql.exec<{ due: number | null }>("SELECT min(due_at) AS due FROM timers").one().due;
    if (next === null) return;
    if (this.#alarmAt === undefined) this.#alarmAt = await this.ctx.storage.getAlarm();
    if (this.#alarmAt === null || this.#alarmAt > next) {
      await this.ctx.storage.setAlarm(next);
      this.#alarmAt = next;
    }
  }
}
