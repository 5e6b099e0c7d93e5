// After each ingest request, off the response path, the project object gets the request's ingest
// health counts and the D1 executions rows of the runs it touched; it writes the rows of many runs
// to D1 in one batch (so a short run costs no alarm and no D1 write of its own). Calls are
// coalesced: at most one is in flight per project per isolate, and what arrives meanwhile is
// merged into the next call (counts summed, each run's newest row kept). At low load every request
// is handed over at once; under load the project object sees a few calls per second instead of
// one per request. A failed call is retried with backoff (the request's waitUntil keeps running);
// only after every retry fails is the handoff dropped, with a log line: the counts are then
// missing from ingest health and the runs' D1 rows wait for their next batch or finding flush.
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
const draining = new Map<string, Promise<void>>();

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

export function handOffToProject(env: Env, projectId: string, outcome: IngestOutcome, ignored: number): Promise<void> {
  const pending = queued.get(projectId) ?? emptyPending();
  pending.counts.accepted += outcome.accepted;
  pending.counts.rejected += outcome.rejected.length;
  pending.counts.duplicates += outcome.duplicates;
  pending.counts.ignored += ignored;
  for (const r of outcome.rejected) pending.byCode[r.code] = (pending.byCode[r.code] ?? 0) + 1;
  for (const row of outcome.snapshots) keepNewest(pending.rows, row);
  queued.set(projectId, pending);
  const inFlight = draining.get(projectId);
  if (inFlight) return inFlight;
  // drain() awaits its first call before it can finish, so the entry is set before it is removed.
  const drained = drain(env, projectId);
  draining.set(projectId, drained);
  return drained;
}

/** Resolves once every handoff queued so far has been delivered or given up (tests, shutdown). */
export async function settleProjectHandoffs(): Promise<void> {
  while (draining.size > 0) await Promise.all([...draining.values()]);
}

async function drain(env: Env, projectId: string): Promise<void> {
  let attempt = 0;
  try {
    // The check that finds the queue empty and the finally below run in one step, so a handoff
    // queued after it always starts a new drain rather than waiting on one that has ended.
    for (let next = queued.get(projectId); next; next = queued.get(projectId)) {
      queued.delete(projectId);
      try {
        await projectStub(env, projectId).recordIngest(next.counts, next.byCode, [...next.rows.values()]);
        attempt = 0;
      } catch (error) {
        attempt++;
        if (attempt >= HANDOFF_ATTEMPTS) {
          console.error(
            JSON.stringify({ message: "project handoff dropped after retries", project_id: projectId, runs: next.rows.size, error: String(error) }),
          );
          attempt = 0;
          continue;
        }
        console.warn(JSON.stringify({ message: "project handoff failed; retrying", project_id: projectId, attempt, error: String(error) }));
        // Put it back (merged with anything newer) and wait before the next call.
        const newer = queued.get(projectId);
        if (newer) merge(next, newer);
        queued.set(projectId, next);
        await new Promise((resolve) => setTimeout(resolve, HANDOFF_RETRY_MS * 2 ** (attempt - 1)));
      }
    }
  } finally {
    draining.delete(projectId);
  }
}
