// One Durable Object per (project, execution): it stores the execution's events in its own SQLite
// before the ingest request is answered, runs the per-execution detectors incrementally, and hands
// findings to D1 through an outbox flushed by its alarm, so a D1 outage delays groups but loses
// nothing. Stored shapes: storage-schema.md beside this file.
import { DurableObject } from "cloudflare:workers";
import type { DetectorSettings } from "../../workers/core/detector-settings.ts";
import type { FailureClass, Severity } from "../../workers/core/failure-classes.ts";
import { CLASS_INFO, maxSeverity } from "../../workers/core/failure-classes.ts";
import { groupIdFor } from "../../workers/core/group-id.ts";
import type { JsonObject } from "../../workers/core/json.ts";
import { isoTime } from "../../workers/core/time.ts";
import type { VigilEvent } from "../../workers/ingest/event-schema.ts";
import { EXECUTION_DETECTORS } from "./detectors/index.ts";
import { timeBudgetSignature } from "./detectors/time-budget-exceeded.ts";
import type { Detection, ExecutionFacts, ObservedEvent } from "./detectors/types.ts";
import type { NotificationIntent } from "../shared/notifications.ts";
import type { ExecutionSnapshot } from "../shared/outbox.ts";
import { flushOutbox } from "../shared/outbox.ts";
import { LOOP_CLASSES } from "../../workers/core/loop-classes.ts";
import type { ModelPrice } from "../../workers/core/model-prices.ts";
import type { RunMetrics } from "./run-metrics.ts";
import { emptyRunMetrics, observeRunMetrics, reviveRunMetrics, runDurationMs, runMetricsColumns } from "./run-metrics.ts";
import type {
  ExecutionBatch,
  ExecutionBatchResult,
  ExecutionView,
  FindingView,
  HaltDirective,
  PreparedEvent,
} from "./rpc-types.ts";
import { migrateExecutionStorage } from "./storage.ts";

/** The execution row, held in memory while the object is awake. */
interface ExecutionRow {
  project_id: string;
  execution_id: string;
  name: string | null;
  tenant_id: string | null;
  parent_execution_id: string | null;
  release: string | null;
  environment: string | null;
  policy: string | null;
  started_at: number;
  explicit_start: number;
  last_event_at: number;
  finished_at: number | null;
  status: string;
  steps: number;
  events: number;
  findings: number;
  halt: string | null;
  /** The wall-clock budget in force (policy, else project setting), for the deadline alarm. */
  max_wall_seconds: number | null;
  /** JSON array: classes that halt this execution (policy halt_on plus the project's). */
  halt_on: string;
  /**
   * Server time when execution_started arrived. The stall deadline runs on this clock, so client
   * clock skew or backfilled history never makes a live run look stalled.
   */
  started_arrival: number | null;
}

interface Policy {
  max_wall_seconds?: number;
  max_steps?: number;
  max_cost_usd?: number;
  halt_on?: string[];
}

interface LiveState {
  row: ExecutionRow;
  policy: Policy;
  detectorStates: Map<FailureClass, unknown>;
  /** (class \0 signature) of findings this execution already has. */
  findingKeys: Set<string>;
  /** Detectors whose state changed since the last persist. */
  dirty: Set<FailureClass>;
  /** The settings object the budgets and halt list were last derived from (one per batch). */
  settingsSeen: DetectorSettings | null;
  /** The run's bounded metrics record (run-metrics.ts), persisted with the events that changed it. */
  metrics: RunMetrics;
  metricsDirty: boolean;
}

const STEP_TYPES = new Set(["llm_call", "tool_call"]);
const SEVERITY_ORDER = ["low", "medium", "high", "critical"];
/** Retry delays for a failing D1 flush: doubling from 1 s, capped at 5 minutes, never giving up. */
const FLUSH_RETRY_MAX_MS = 5 * 60_000;
const EVENTS_PAGE_MAX = 1000;
/** Rows per multi-row events insert: 3 bound parameters each, under SQLite's 100 per statement. */
const INSERT_ROWS = 33;

export class ExecutionObject extends DurableObject<Env> {
  #sql: SqlStorage;
  #live: LiveState | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      migrateExecutionStorage(this.#sql);
    });
  }

  /** Stores a batch of events and runs detection on the new ones. Durable when it returns. */
  async ingest(batch: ExecutionBatch): Promise<ExecutionBatchResult> {
    const events = [...batch.events].sort((a, b) => a.ts - b.ts);
    let accepted = 0;
    let duplicates = 0;
    const halt: { first: { failureClass: FailureClass; signature: string } | null } = { first: null };
    let outboxAdded = false;
    let signalBatch: number | null = null;
    let earlier: { id: string; batch: number | null }[] = [];
    try {
      this.ctx.storage.transactionSync(() => {
        const live = this.#load(batch);
        const { inserted, firstSeq, lastSeq } = this.#insertEvents(events);
        if (firstSeq !== null) {
          this.#sql.exec("INSERT INTO event_batches (first_seq, last_seq) VALUES (?, ?)", firstSeq, lastSeq);
          signalBatch = firstSeq;
        }
        if (inserted.size < events.length) earlier = this.#batchesOf(events.filter((e) => !inserted.has(e.id)).map((e) => e.id));
        for (const prepared of events) {
          if (!inserted.has(prepared.id)) {
            duplicates++;
            continue;
          }
          accepted++;
          // The parsed object is this call's own: give it the resolved time instead of copying it.
          const event = JSON.parse(prepared.json) as ObservedEvent;
          event.ts = prepared.ts;
          this.#applyToRow(live, event, batch.settings);
          observeRunMetrics(live.metrics, event, batch.settings.cost_velocity.prices);
          live.metricsDirty = true;
          for (const { failureClass, detection } of this.#detect(live, event, prepared, batch.settings)) {
            outboxAdded = true;
            const halted = this.#record(live, failureClass, detection, event.ts);
            if (halted && !halt.first) halt.first = { failureClass, signature: detection.signature };
          }
        }
        this.#persist(live);
        // Findings go to D1 through the outbox now. A batch without findings needs no flush: its
        // run's row reaches D1 through the project object (the snapshot returned below).
        if (outboxAdded) this.#schedule("flush", Date.now());
        this.#scheduleDeadline(live);
      });
    } catch (error) {
      // Memory may be ahead of the rolled-back transaction: reload from storage next time.
      this.#live = null;
      throw error;
    }
    const live = this.#live!;
    const newHalt = halt.first;
    if (newHalt) {
      const directive: HaltDirective = {
        execution_id: live.row.execution_id,
        action: "halt",
        failure_class: newHalt.failureClass,
        signature: newHalt.signature,
        group_id: await groupIdFor(live.row.project_id, newHalt.failureClass, newHalt.signature),
      };
      live.row.halt = JSON.stringify(directive);
      this.#sql.exec("UPDATE execution SET halt = ? WHERE singleton = 1", live.row.halt);
    }
    await this.#armAlarm();
    return {
      accepted,
      duplicates,
      directive: live.row.halt ? (JSON.parse(live.row.halt) as HaltDirective) : null,
      snapshot: accepted > 0 ? this.#snapshot(live) : null,
      batch: signalBatch,
      earlier,
    };
  }

  /** The batch that first stored each of these events (they are all stored): null before batches were kept. */
  #batchesOf(ids: readonly string[]): { id: string; batch: number | null }[] {
    return this.#sql
      .exec<{ id: string; batch: number | null }>(
        `SELECT e.id, (SELECT b.first_seq FROM event_batches b WHERE b.first_seq <= e.seq AND b.last_seq >= e.seq) AS batch
         FROM events e WHERE e.id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(ids),
      )
      .toArray()
      .map((r) => ({ id: r.id, batch: r.batch }));
  }

  /** D1's executions row for this run as it stands (the ingest answer's and each flush's). */
  #snapshot(live: LiveState): ExecutionSnapshot {
    let loop = false;
    for (const key of live.findingKeys) {
      if (LOOP_CLASSES.has(key.slice(0, key.indexOf("\u0000")) as FailureClass)) loop = true;
    }
    const r = live.row;
    return {
      project_id: r.project_id,
      execution_id: r.execution_id,
      name: r.name,
      tenant_id: r.tenant_id,
      parent_execution_id: r.parent_execution_id,
      status: r.status,
      started_at: r.started_at,
      last_event_at: r.last_event_at,
      finished_at: r.finished_at,
      events: r.events,
      findings: r.findings,
      release: r.release,
      ...runMetricsColumns(r, live.metrics, loop),
    };
  }

  /** The execution, a page of its events in time order, its findings and halt state; null if unknown. */
  async read(options: { limit?: number; cursor?: string | null } = {}): Promise<ExecutionView | null> {
    const row = this.#sql.exec<Record<string, SqlStorageValue>>("SELECT * FROM execution WHERE singleton = 1").toArray()[0] as
      | ExecutionRow
      | undefined;
    if (!row) return null;
    const metrics = this.#readMetrics();
    const limit = Math.min(Math.max(options.limit ?? 500, 1), EVENTS_PAGE_MAX);
    const [afterTs, afterSeq] = (options.cursor ?? "").split(".").map(Number);
    const page = (
      options.cursor && Number.isFinite(afterTs) && Number.isFinite(afterSeq)
        ? this.#sql.exec<{ seq: number; ts: number; body: string }>(
            "SELECT seq, ts, body FROM events WHERE (ts, seq) > (?, ?) ORDER BY ts, seq LIMIT ?",
            afterTs!,
            afterSeq!,
            limit + 1,
          )
        : this.#sql.exec<{ seq: number; ts: number; body: string }>("SELECT seq, ts, body FROM events ORDER BY ts, seq LIMIT ?", limit + 1)
    ).toArray();
    const more = page.length > limit;
    if (more) page.pop();
    const last = page[page.length - 1];
    const findings: FindingView[] = [];
    for (const f of this.#sql
      .exec<{
        failure_class: string;
        signature: string;
        severity: string;
        first_seen: number;
        last_seen: number;
        occurrences: number;
        first_event_id: string;
        detail: string;
      }>("SELECT * FROM findings ORDER BY first_seen")
      .toArray()) {
      findings.push({
        failure_class: f.failure_class as FailureClass,
        signature: f.signature,
        severity: f.severity as Severity,
        group_id: await groupIdFor(row.project_id, f.failure_class, f.signature),
        first_seen: isoTime(f.first_seen),
        last_seen: isoTime(f.last_seen),
        occurrences: f.occurrences,
        first_event_id: f.first_event_id,
        detail: JSON.parse(f.detail) as JsonObject,
      });
    }
    return {
      execution: {
        id: row.execution_id,
        name: row.name,
        status: row.status,
        tenant_id: row.tenant_id,
        parent_execution_id: row.parent_execution_id,
        release: row.release,
        environment: row.environment,
        policy: row.policy ? (JSON.parse(row.policy) as JsonObject) : null,
        started_at: isoTime(row.started_at),
        last_event_at: isoTime(row.last_event_at),
        finished_at: isoTime(row.finished_at),
        event_count: row.events,
        steps: row.steps,
        duration_ms: runDurationMs(row, metrics),
      },
      events: page.map((e) => ({ ...(JSON.parse(e.body) as JsonObject), timestamp: isoTime(e.ts) })),
      next_cursor: more && last ? `${last.ts}.${last.seq}` : null,
      findings,
      halt: row.halt ? (JSON.parse(row.halt) as HaltDirective) : null,
      metrics,
    };
  }

  /**
   * A person halts the run (dashboard Halt button): the directive names one of the run's findings
   * (the one given, else the most severe) and is returned to the agent with its next batch, exactly
   * like a detector-made halt. Refused for unknown, finished or finding-less runs.
   */
  async haltByPerson(request: { failure_class?: string; signature?: string; actor: string; reason?: string }): Promise<
    { ok: true; directive: HaltDirective } | { ok: false; code: "not_found" | "finished" | "no_finding" | "unknown_finding" }
  > {
    const live = this.#sql.exec("SELECT 1 FROM execution WHERE singleton = 1").toArray().length > 0 ? this.#load(null) : null;
    if (!live) return { ok: false, code: "not_found" };
    if (live.row.halt) return { ok: true, directive: JSON.parse(live.row.halt) as HaltDirective };
    if (live.row.finished_at !== null) return { ok: false, code: "finished" };
    const findings = this.#sql
      .exec<{ failure_class: string; signature: string; severity: string }>("SELECT failure_class, signature, severity FROM findings")
      .toArray();
    if (findings.length === 0) return { ok: false, code: "no_finding" };
    const chosen =
      request.failure_class !== undefined
        ? findings.find((f) => f.failure_class === request.failure_class && (request.signature === undefined || f.signature === request.signature))
        : [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity))[0];
    if (!chosen) return { ok: false, code: "unknown_finding" };
    const directive: HaltDirective = {
      execution_id: live.row.execution_id,
      action: "halt",
      failure_class: chosen.failure_class as FailureClass,
      signature: chosen.signature,
      group_id: await groupIdFor(live.row.project_id, chosen.failure_class, chosen.signature),
    };
    live.row.halt = JSON.stringify(directive);
    this.#sql.exec("UPDATE execution SET halt = ? WHERE singleton = 1", live.row.halt);
    console.log(JSON.stringify({ message: "execution halted by a person", execution_id: live.row.execution_id, actor: request.actor, reason: request.reason ?? null }));
    return { ok: true, directive };
  }

  /** Runs every due timer: the outbox flush and the wall-clock deadline. Safe to run twice. */
  override async alarm(): Promise<void> {
    // The alarm that woke us is spent.
    this.#alarmAt = null;
    const now = Date.now();
    const due = this.#sql.exec<{ kind: string; attempts: number }>("SELECT kind, attempts FROM timers WHERE due_at <= ?", now).toArray();
    for (const timer of due) {
      if (timer.kind === "deadline") this.#onDeadline(now);
    }
    if (due.some((t) => t.kind === "flush") || this.#sql.exec("SELECT 1 FROM timers WHERE kind = 'flush' AND due_at <= ?", now).toArray().length > 0) {
      await this.#flush(due.find((t) => t.kind === "flush")?.attempts ?? 0);
    }
    await this.#armAlarm();
  }

  async #flush(attempts: number): Promise<void> {
    const row = this.#sql.exec("SELECT * FROM execution WHERE singleton = 1").toArray()[0] as ExecutionRow | undefined;
    if (!row) {
      this.#sql.exec("DELETE FROM timers WHERE kind = 'flush'");
      return;
    }
    try {
      const { more, intents } = await flushOutbox(this.#sql, this.env.DB, {
        projectId: row.project_id,
        source: `${row.project_id}:${row.execution_id}`,
        snapshot: this.#snapshot(this.#load(null)),
      });
      if (intents.length > 0) {
        // D1 has committed: the notifications must now reach the project object, or wait here.
        this.#sql.exec("INSERT INTO pending_notifications (intents) VALUES (?)", JSON.stringify(intents));
      }
      await this.#handOffNotifications(row.project_id);
      if (more) this.#schedule("flush", Date.now());
      else if (this.#sql.exec("SELECT 1 FROM pending_notifications LIMIT 1").toArray().length > 0) this.#schedule("flush", Date.now() + 5_000);
      else this.#sql.exec("DELETE FROM timers WHERE kind = 'flush'");
    } catch (error) {
      const delay = Math.min(1000 * 2 ** attempts, FLUSH_RETRY_MAX_MS);
      console.warn(
        JSON.stringify({ message: "outbox flush to D1 failed; retrying", attempts: attempts + 1, retry_in_ms: delay, error: String(error) }),
      );
      this.#sql.exec(
        "INSERT INTO timers (kind, due_at, attempts) VALUES ('flush', ?, ?) ON CONFLICT (kind) DO UPDATE SET due_at = excluded.due_at, attempts = excluded.attempts",
        Date.now() + delay,
        attempts + 1,
      );
    }
  }

  /** Passes queued notifications to the project object; what it cannot take now stays queued. */
  async #handOffNotifications(projectId: string): Promise<void> {
    for (const pending of this.#sql.exec<{ id: number; intents: string }>("SELECT id, intents FROM pending_notifications ORDER BY id").toArray()) {
      try {
        await this.env.PROJECT.get(this.env.PROJECT.idFromName(projectId)).notify(projectId, JSON.parse(pending.intents) as NotificationIntent[]);
        this.#sql.exec("DELETE FROM pending_notifications WHERE id = ?", pending.id);
      } catch (error) {
        console.warn(JSON.stringify({ message: "notifications not handed to the project object yet", error: String(error) }));
        return;
      }
    }
  }

  /** A stalled run sends nothing: its wall-clock budget is checked by the alarm as well. */
  #onDeadline(now: number): void {
    this.#sql.exec("DELETE FROM timers WHERE kind = 'deadline'");
    const row = this.#sql.exec("SELECT * FROM execution WHERE singleton = 1").toArray()[0] as ExecutionRow | undefined;
    if (!row || row.finished_at !== null) return;
    this.ctx.storage.transactionSync(() => {
      const live = this.#load(null);
      const budget = live.row.max_wall_seconds;
      const state = (live.detectorStates.get("time_budget_exceeded") ?? { fired: false }) as { fired: boolean };
      const since = live.row.started_arrival;
      if (budget === null || since === null || state.fired || now - since <= budget * 1000) return;
      state.fired = true;
      live.detectorStates.set("time_budget_exceeded", state);
      this.#record(
        live,
        "time_budget_exceeded",
        {
          signature: timeBudgetSignature(live.row.name),
          detail: { budget_seconds: budget, elapsed_seconds: Math.round((now - since) / 1000), reason: "no_events_before_deadline" },
        },
        now,
      );
      live.dirty.add("time_budget_exceeded");
      this.#persist(live);
      this.#schedule("flush", now);
    });
  }

  /** Loads (or returns) the live state; creates the execution row on the first batch. */
  #load(batch: ExecutionBatch | null): LiveState {
    if (this.#live) return this.#live;
    let row = this.#sql.exec("SELECT * FROM execution WHERE singleton = 1").toArray()[0] as ExecutionRow | undefined;
    if (!row) {
      if (!batch) throw new Error("execution object has no execution yet");
      // A run this object has never stored has never set an alarm: no need to ask storage.
      this.#alarmAt ??= null;
      const now = batch.events[0]?.ts ?? Date.now();
      row = {
        project_id: batch.projectId,
        execution_id: batch.executionId,
        name: null,
        tenant_id: null,
        parent_execution_id: null,
        release: null,
        environment: null,
        policy: null,
        started_at: now,
        explicit_start: 0,
        last_event_at: now,
        finished_at: null,
        status: "running",
        steps: 0,
        events: 0,
        findings: 0,
        halt: null,
        max_wall_seconds: null,
        halt_on: "[]",
        started_arrival: null,
      };
    }
    const detectorStates = new Map<FailureClass, unknown>();
    const stored = new Map(
      this.#sql
        .exec<{ failure_class: string; state: string }>("SELECT failure_class, state FROM detector_state")
        .toArray()
        .map((r) => [r.failure_class, r.state]),
    );
    for (const detector of EXECUTION_DETECTORS) {
      const json = stored.get(detector.failureClass);
      detectorStates.set(detector.failureClass, json === undefined ? detector.initialState() : detector.revive(JSON.parse(json)));
    }
    const findingKeys = new Set(
      this.#sql
        .exec<{ failure_class: string; signature: string }>("SELECT failure_class, signature FROM findings")
        .toArray()
        .map((f) => `${f.failure_class}\u0000${f.signature}`),
    );
    const metrics = this.#storedMetrics(batch?.settings.cost_velocity.prices ?? {});
    this.#live = {
      row,
      policy: row.policy ? (JSON.parse(row.policy) as Policy) : {},
      detectorStates,
      findingKeys,
      dirty: new Set(),
      settingsSeen: null,
      metrics: metrics.record,
      metricsDirty: metrics.backfilled,
    };
    return this.#live;
  }

  #applyToRow(live: LiveState, event: ObservedEvent, settings: DetectorSettings): void {
    const row = live.row;
    row.events++;
    if (STEP_TYPES.has(event.type)) row.steps++;
    if (event.ts > row.last_event_at) row.last_event_at = event.ts;
    if (row.explicit_start === 0 && event.ts < row.started_at) row.started_at = event.ts;
    if (event.tenant_id && !row.tenant_id) row.tenant_id = event.tenant_id;
    if (event.type === "execution_started") {
      row.explicit_start = 1;
      row.started_at = event.ts;
      row.started_arrival ??= Date.now();
      row.name = event.name ?? row.name;
      row.parent_execution_id = event.parent_execution_id ?? row.parent_execution_id;
      row.release = event.release ?? row.release;
      row.environment = event.environment ?? row.environment;
      if (event.policy) {
        live.policy = event.policy as Policy;
        row.policy = JSON.stringify(event.policy);
      }
    } else if (event.type === "execution_finished") {
      row.status = event.status;
      row.finished_at = event.ts;
    }
    // Settings travel with every batch, so the latest project settings apply from this event on;
    // only the events that can change them (the first, and execution_started's policy) recompute.
    if (event.type === "execution_started" || row.events === 1 || live.settingsSeen !== settings) {
      live.settingsSeen = settings;
      row.max_wall_seconds = live.policy.max_wall_seconds ?? settings.time_budget_exceeded.max_wall_seconds;
      row.halt_on = JSON.stringify([...new Set([...(live.policy.halt_on ?? []), ...settings.halt_on])]);
    }
  }

  *#detect(
    live: LiveState,
    event: ObservedEvent,
    prepared: PreparedEvent,
    settings: DetectorSettings,
  ): Generator<{ failureClass: FailureClass; detection: Detection }> {
    const facts: ExecutionFacts = {
      name: live.row.name,
      startedAt: live.row.started_at,
      maxWallSeconds: live.row.max_wall_seconds,
      maxSteps: live.policy.max_steps ?? settings.step_count_exceeded.max_steps,
      maxCostUsd: live.policy.max_cost_usd ?? null,
      steps: live.row.steps,
    };
    for (const detector of EXECUTION_DETECTORS) {
      if (!detector.eventTypes.includes(event.type)) continue;
      const ctx = {
        settings,
        execution: facts,
        state: live.detectorStates.get(detector.failureClass),
        touch: () => live.dirty.add(detector.failureClass),
      };
      const result = detector.observe(event, ctx);
      // Detectors may replace their state object (e.g. create a window lazily).
      live.detectorStates.set(detector.failureClass, ctx.state);
      if (!result) continue;
      for (const detection of Array.isArray(result) ? (result as Detection[]) : [result as Detection]) {
        yield { failureClass: detector.failureClass, detection };
      }
    }
    for (const finding of prepared.contentFindings) {
      yield {
        failureClass: finding.failure_class,
        detection: { signature: finding.signature, severity: finding.severity, detail: { path: finding.path, event_id: event.id } },
      };
    }
  }

  /** Records a finding and queues it for D1. Returns true when it makes the execution halt. */
  #record(live: LiveState, failureClass: FailureClass, detection: Detection, ts: number): boolean {
    const severity = detection.severity ?? CLASS_INFO[failureClass].severity;
    const key = `${failureClass}\u0000${detection.signature}`;
    const isNew = !live.findingKeys.has(key);
    const detail = JSON.stringify(detection.detail ?? {});
    const eventId = typeof detection.detail?.event_id === "string" ? detection.detail.event_id : "";
    if (isNew) {
      live.findingKeys.add(key);
      live.row.findings++;
      this.#sql.exec(
        "INSERT INTO findings (failure_class, signature, severity, first_seen, last_seen, occurrences, first_event_id, detail) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
        failureClass,
        detection.signature,
        severity,
        ts,
        ts,
        eventId,
        detail,
      );
    } else {
      const current = this.#sql
        .exec<{ severity: string }>("SELECT severity FROM findings WHERE failure_class = ? AND signature = ?", failureClass, detection.signature)
        .one();
      this.#sql.exec(
        "UPDATE findings SET occurrences = occurrences + 1, last_seen = max(last_seen, ?), severity = ?, detail = ? WHERE failure_class = ? AND signature = ?",
        ts,
        maxSeverity(current.severity as Severity, severity),
        detail,
        failureClass,
        detection.signature,
      );
    }
    this.#sql.exec(
      "INSERT INTO outbox (execution_id, failure_class, signature, severity, ts, new_execution, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
      live.row.execution_id,
      failureClass,
      detection.signature,
      severity,
      ts,
      isNew ? 1 : 0,
      detail,
    );
    if (live.row.halt !== null || !isNew) return false;
    return (JSON.parse(live.row.halt_on) as string[]).includes(failureClass);
  }

  #persist(live: LiveState): void {
    const r = live.row;
    this.#sql.exec(
      `INSERT INTO execution (singleton, project_id, execution_id, name, tenant_id, parent_execution_id, release, environment, policy,
         started_at, explicit_start, last_event_at, finished_at, status, steps, events, findings, halt, max_wall_seconds, halt_on,
         started_arrival)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (singleton) DO UPDATE SET name = excluded.name, tenant_id = excluded.tenant_id,
         parent_execution_id = excluded.parent_execution_id, release = excluded.release, environment = excluded.environment,
         policy = excluded.policy, started_at = excluded.started_at, explicit_start = excluded.explicit_start,
         last_event_at = excluded.last_event_at, finished_at = excluded.finished_at, status = excluded.status,
         steps = excluded.steps, events = excluded.events, findings = excluded.findings, halt = excluded.halt,
         max_wall_seconds = excluded.max_wall_seconds, halt_on = excluded.halt_on, started_arrival = excluded.started_arrival`,
      r.project_id,
      r.execution_id,
      r.name,
      r.tenant_id,
      r.parent_execution_id,
      r.release,
      r.environment,
      r.policy,
      r.started_at,
      r.explicit_start,
      r.last_event_at,
      r.finished_at,
      r.status,
      r.steps,
      r.events,
      r.findings,
      r.halt,
      r.max_wall_seconds,
      r.halt_on,
      r.started_arrival,
    );
    for (const failureClass of live.dirty) {
      this.#sql.exec(
        "INSERT INTO detector_state (failure_class, state) VALUES (?, ?) ON CONFLICT (failure_class) DO UPDATE SET state = excluded.state",
        failureClass,
        JSON.stringify(live.detectorStates.get(failureClass) ?? null),
      );
    }
    live.dirty.clear();
    if (live.metricsDirty) {
      this.#sql.exec(
        "INSERT INTO run_metrics (singleton, metrics) VALUES (1, ?) ON CONFLICT (singleton) DO UPDATE SET metrics = excluded.metrics",
        JSON.stringify(live.metrics),
      );
      live.metricsDirty = false;
    }
  }

  /** The metrics as stored; an older object's record is built once and kept. */
  #readMetrics(): RunMetrics {
    const { record, backfilled } = this.#storedMetrics({});
    if (backfilled) {
      this.#sql.exec("INSERT INTO run_metrics (singleton, metrics) VALUES (1, ?) ON CONFLICT (singleton) DO NOTHING", JSON.stringify(record));
    }
    return record;
  }

  /**
   * The stored metrics record. An object created before run metrics existed has events but no
   * record: its events are folded in once here, and the caller persists the result.
   */
  #storedMetrics(prices: Readonly<Record<string, ModelPrice>>): { record: RunMetrics; backfilled: boolean } {
    const stored = this.#sql.exec<{ metrics: string }>("SELECT metrics FROM run_metrics WHERE singleton = 1").toArray()[0];
    if (stored) return { record: reviveRunMetrics(JSON.parse(stored.metrics)), backfilled: false };
    const record = emptyRunMetrics();
    let backfilled = false;
    for (const e of this.#sql.exec<{ ts: number; body: string }>("SELECT ts, body FROM events ORDER BY ts, seq")) {
      observeRunMetrics(record, { ...(JSON.parse(e.body) as VigilEvent), ts: e.ts } as ObservedEvent, prices);
      backfilled = true;
    }
    return { record, backfilled };
  }

  /** Sets a timer; `keepEarlier` leaves an earlier due time in place (coalescing flushes). */
  #schedule(kind: "flush" | "deadline", dueAt: number, keepEarlier = false): void {
    this.#sql.exec(
      `INSERT INTO timers (kind, due_at, attempts) VALUES (?, ?, 0)
       ON CONFLICT (kind) DO UPDATE SET due_at = ${keepEarlier ? "min(due_at, excluded.due_at)" : "excluded.due_at"}`,
      kind,
      dueAt,
    );
  }

  /**
   * Only runs that announced themselves with execution_started are expected to announce their end,
   * so only they get a deadline; others are judged by their event timestamps alone.
   */
  #scheduleDeadline(live: LiveState): void {
    const budget = live.row.max_wall_seconds;
    if (live.row.finished_at !== null || budget === null || live.row.started_arrival === null) {
      this.#sql.exec("DELETE FROM timers WHERE kind = 'deadline'");
      return;
    }
    const state = live.detectorStates.get("time_budget_exceeded") as { fired: boolean } | undefined;
    if (state?.fired) return;
    this.#schedule("deadline", live.row.started_arrival + budget * 1000 + 1);
  }

  /**
   * Stores the batch's events in a few multi-row statements (bound parameters stay under 100 per
   * statement) and returns the ids that went in (the rest are duplicates) and the seq range they got.
   * The usual all-new chunk is settled by `changes()` alone: its rows got consecutive seqs
   * (AUTOINCREMENT, nothing else writes in between). A chunk with duplicates reads back which of its
   * ids went in: its new rows are the `changes()` highest seqs among its ids, since every row it
   * inserted is newer than every row it collided with (and a skipped row still uses up a seq, so
   * its new seqs may have gaps).
   */
  #insertEvents(events: readonly PreparedEvent[]): { inserted: Set<string>; firstSeq: number | null; lastSeq: number | null } {
    const inserted = new Set<string>();
    let firstSeq: number | null = null;
    let lastSeq: number | null = null;
    for (let i = 0; i < events.length; i += INSERT_ROWS) {
      const chunk = events.slice(i, i + INSERT_ROWS);
      const params: (string | number)[] = [];
      for (const e of chunk) params.push(e.id, e.ts, e.json);
      this.#sql.exec(`INSERT INTO events (id, ts, body) VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")} ON CONFLICT (id) DO NOTHING`, ...params);
      const { n, last } = this.#sql.exec<{ n: number; last: number }>("SELECT changes() AS n, last_insert_rowid() AS last").one();
      if (n === 0) continue;
      let first = last - n + 1;
      if (n === chunk.length) for (const e of chunk) inserted.add(e.id);
      else {
        const rows = this.#sql.exec<{ id: string; seq: number }>(
          "SELECT id, seq FROM events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seq DESC LIMIT ?",
          JSON.stringify(chunk.map((e) => e.id)),
          n,
        );
        for (const r of rows) {
          inserted.add(r.id);
          first = r.seq;
        }
      }
      firstSeq ??= first;
      lastSeq = last;
    }
    return { inserted, firstSeq, lastSeq };
  }

  /** The alarm this object has set, as far as it knows: saves a storage call per batch. */
  #alarmAt: number | null | undefined = undefined;

  async #armAlarm(): Promise<void> {
    const next = this.#sql.exec<{ due: number | null }>("SELECT min(due_at) AS due FROM timers").one().due;
    if (this.#alarmAt === undefined) this.#alarmAt = await this.ctx.storage.getAlarm();
    if (next === null) {
      // Nothing left to wake for (a run that finished before its deadline): no empty wake-up later.
      if (this.#alarmAt !== null) {
        await this.ctx.storage.deleteAlarm();
        this.#alarmAt = null;
      }
      return;
    }
    if (this.#alarmAt === null || this.#alarmAt > next) {
      await this.ctx.storage.setAlarm(next);
      this.#alarmAt = next;
    }
  }
}
