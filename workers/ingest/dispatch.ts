// Hands prepared events to their execution objects (one RPC per execution per request) and the
// request's project signals to the project object (one RPC per request), in parallel, and folds the
// answers into the ingest response of spec 4.3. Shared by native and OpenTelemetry ingest. Both
// kinds of object deduplicate by event id, so a retried request is always safe.
import type { DetectorSettings } from "../core/detector-settings.ts";
import { ApiError } from "../errors.ts";
import type { ExecutionBatchResult, HaltDirective } from "../../durable-objects/execution/rpc-types.ts";
import type { ExecutionSnapshot } from "../../durable-objects/shared/outbox.ts";
import type { PreparedBatch, Rejection } from "./prepare-events.ts";

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  directives: HaltDirective[];
  /** The D1 executions rows of the runs that accepted events, for the project object to write. */
  snapshots: ExecutionSnapshot[];
}

export function executionStub(env: Env, projectId: string, executionId: string) {
  return env.EXECUTION.get(env.EXECUTION.idFromName(`${projectId}:${executionId}`));
}

export function projectStub(env: Env, projectId: string) {
  return env.PROJECT.get(env.PROJECT.idFromName(projectId));
}

export async function dispatchBatch(env: Env, projectId: string, settings: DetectorSettings, batch: PreparedBatch): Promise<IngestOutcome> {
  const observed =
    batch.signals.length > 0 ? projectStub(env, projectId).observe({ projectId, settings, signals: batch.signals }) : Promise.resolve(null);
  const [project, ...results] = await Promise.allSettled([
    observed,
    ...[...batch.byExecution].map(([executionId, events]) =>
      executionStub(env, projectId, executionId).ingest({ projectId, executionId, settings, events }),
    ),
  ]);
  if (project?.status === "rejected") {
    console.error(JSON.stringify({ message: "project object failed during ingest", error: String(project.reason) }));
    throw new ApiError("unavailable", "Storage is briefly unavailable; retry the request.", { retryAfter: 1 });
  }
  let accepted = 0;
  let duplicates = batch.duplicatesInRequest;
  const directives: HaltDirective[] = [];
  const snapshots: ExecutionSnapshot[] = [];
  for (const result of results) {
    if (result.status === "rejected") {
      // Some events may not be stored: the client must retry the request. Events that were stored
      // come back as duplicates on the retry, so retrying is always safe.
      console.error(JSON.stringify({ message: "execution object failed during ingest", error: String(result.reason) }));
      throw new ApiError("unavailable", "Storage is briefly unavailable; retry the request.", { retryAfter: 1 });
    }
    const value = result.value as ExecutionBatchResult;
    accepted += value.accepted;
    duplicates += value.duplicates;
    if (value.directive) directives.push(value.directive);
    if (value.snapshot) snapshots.push(value.snapshot);
  }
  return { accepted, duplicates, rejected: batch.rejected, directives, snapshots };
}
