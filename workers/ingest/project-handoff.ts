// After each ingest request, off the response path, the project object gets the request's ingest
// health counts and the D1 executions rows of the runs it touched; it writes the rows of many runs
// to D1 in one batch (so a short run costs no alarm and no D1 write of its own). Calls are
// coalesced: at most one is in flight per project per isolate, and what arrives meanwhile is
// merged into the next call (counts summed, each run's newest row kept). At low load every request
// is handed over at once; under load the project object sees a few calls per second instead of
// one per request. A failed call is retried with backoff (the request's waitUntil keeps running);
// only after every retry fails is the handoff dropped, with a log line: the counts are then
// missing from ingest health and the runs' D1 rows wait for their next batch or finding flush.
//
// A request never awaits a promise that another request's call settles: workerd cancels a request
// whose only pending work is another request's I/O ("Promise will never complete"). A request whose
// data is queued behind another's call waits on its own short timer and sends what is still queued
// once that call ends; if another request took its data along meanwhile, it has nothing left to do.
import type { IngestCounts } from "../../durable-objects/project/project-object.ts";
import type { ExecutionSnapshot } from "../../durable-objects/shared/outbox.ts";
import type { IngestOutcome } from "./dispatch.ts";
import { projectStub } from "./dispatch.ts";

interface Pending {
  counts: IngestCounts;
  byCode: Record<string, number>;
  rows: Map<string, ExecutionSnapshot>;
}

/** Attempts per handoff, and the first retry delay (doubling). */
const HANDOFF_ATTEMPTS = 4;
const HANDOFF_RETRY_MS = 250;

const queued = new Map<string, Pending>();
/** Projects with a handoff call in flight from this isolate, and when it started. */
const sending = new Map<string, number>();
/** How often a queued request looks again while another request's call is in flight. */
const WAIT_POLL_MS = 10;
/**
 * A call in flight longer than this belongs to a request that was cancelled before its `finally`
 * ran (every retry included, a live call ends well within it): the next request takes over.
 */
const SENDING_STALE_MS = 15_000;

function emptyPending(): Pending {
  return { counts: { accepted: 0, rejected: 0, duplicates: 0, ignored: 0 }, byCode: {}, rows: new Map() };
}

/** A run's rows arrive in batch order per object, but keep the newest whatever the order. */
function keepNewest(rows: Map<string, ExecutionSnapshot>, row: ExecutionSnapshot): void {
  const held = rows.get(row.execution_id);
  if (!held || row.events > held.events || (row.events === held.events && row.findings >= held.findings)) rows.set(row.execution_id, row);
}

function merge(into: Pending, from: Pending): void {
  into.counts.accepted += from.counts.accepted;
  into.counts.rejected += from.counts.rejected;
  into.counts.duplicates += from.counts.duplicates;
  into.counts.ignored += from.counts.ignored;
  for (const [code, n] of Object.entries(from.byCode)) into.byCode[code] = (into.byCode[code] ?? 0) + n;
  for (const row of from.rows.values()) keepNewest(into.rows, row);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Queues the request's counts and rows; resolves once they are delivered (by this request or another) or given up. */
export async function handOffToProject(env: Env, projectId: string, outcome: IngestOutcome, ignored: number): Promise<void> {
  const pending = queued.get(projectId) ?? emptyPending();
  pending.counts.accepted += outcome.accepted;
  pending.counts.rejected += outcome.rejected.length;
  pending.counts.duplicates += outcome.duplicates;
  pending.counts.ignored += ignored;
  for (const r of outcome.rejected) pending.byCode[r.code] = (pending.byCode[r.code] ?? 0) + 1;
  for (const row of outcome.snapshots) keepNewest(pending.rows, row);
  queued.set(projectId, pending);
  // Until this request's data leaves the queue: then it is delivered, or being delivered (and
  // retried) by the request that took it. Never longer, so no request keeps sending for others.
  while (queued.get(projectId) === pending) {
    const since = sending.get(projectId);
    if (since !== undefined && Date.now() - since < SENDING_STALE_MS) await sleep(WAIT_POLL_MS);
    else await sendQueued(env, projectId);
  }
}

/** Resolves once every handoff queued so far has been delivered or given up (tests, shutdown). */
export async function settleProjectHandoffs(): Promise<void> {
  while (queued.size > 0 || sending.size > 0) await sleep(WAIT_POLL_MS);
}

/** Sends everything queued for the project in one call, retrying with backoff. */
async function sendQueued(env: Env, projectId: string): Promise<void> {
  sending.set(projectId, Date.now());
  try {
    for (let attempt = 1; ; attempt++) {
      const next = queued.get(projectId);
      if (!next) return;
      queued.delete(projectId);
      try {
        await projectStub(env, projectId).recordIngest(next.counts, next.byCode, [...next.rows.values()]);
        return;
      } catch (error) {
        if (attempt >= HANDOFF_ATTEMPTS) {
          console.error(
            JSON.stringify({ message: "project handoff dropped after retries", project_id: projectId, runs: next.rows.size, error: String(error) }),
          );
          return;
        }
        console.warn(JSON.stringify({ message: "project handoff failed; retrying", project_id: projectId, attempt, error: String(error) }));
        // Put it back (merged with anything newer) and wait before the next call.
        const newer = queued.get(projectId);
        if (newer) merge(next, newer);
        queued.set(projectId, next);
        await sleep(HANDOFF_RETRY_MS * 2 ** (attempt - 1));
      }
    }
  } finally {
    sending.delete(projectId);
  }
}
