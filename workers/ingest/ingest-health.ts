// Ingest health goes to the project object off the response path, coalesced: at most one
// recordIngest call is in flight per project per isolate, and counts that arrive meanwhile are
// merged into the next call. At low load every request is recorded at once; under load the
// project object sees a few calls per second instead of one per request. Nothing is dropped: the
// request whose call is in flight keeps draining (its waitUntil) until the queue is empty.
import type { IngestCounts } from "../../durable-objects/project/project-object.ts";
import type { IngestOutcome } from "./dispatch.ts";
import { projectStub } from "./dispatch.ts";

interface Pending {
  counts: IngestCounts;
  byCode: Record<string, number>;
}

const queued = new Map<string, Pending>();
const draining = new Set<string>();

export function recordIngestHealth(env: Env, projectId: string, outcome: IngestOutcome, ignored: number): Promise<void> {
  const pending = queued.get(projectId) ?? { counts: { accepted: 0, rejected: 0, duplicates: 0, ignored: 0 }, byCode: {} };
  pending.counts.accepted += outcome.accepted;
  pending.counts.rejected += outcome.rejected.length;
  pending.counts.duplicates += outcome.duplicates;
  pending.counts.ignored += ignored;
  for (const r of outcome.rejected) pending.byCode[r.code] = (pending.byCode[r.code] ?? 0) + 1;
  queued.set(projectId, pending);
  if (draining.has(projectId)) return Promise.resolve();
  return drain(env, projectId);
}

async function drain(env: Env, projectId: string): Promise<void> {
  draining.add(projectId);
  try {
    for (let next = queued.get(projectId); next; next = queued.get(projectId)) {
      queued.delete(projectId);
      try {
        await projectStub(env, projectId).recordIngest(next.counts, next.byCode);
      } catch (error) {
        console.warn(JSON.stringify({ message: "ingest health not recorded", project_id: projectId, error: String(error) }));
      }
    }
  } finally {
    draining.delete(projectId);
  }
}
