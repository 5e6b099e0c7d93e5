// Hands prepared events to their execution objects (one RPC per execution per request) and folds
// the answers into the ingest response of spec 4.3. Shared by native and OpenTelemetry ingest.
import type { DetectorSettings } from "../core/detector-settings.ts";
import { ApiError } from "../errors.ts";
import type { HaltDirective } from "../../durable-objects/execution/rpc-types.ts";
import type { PreparedBatch, Rejection } from "./prepare-events.ts";

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  directives: HaltDirective[];
}

export function executionStub(env: Env, projectId: string, executionId: string) {
  return env.EXECUTION.get(env.EXECUTION.idFromName(`${projectId}:${executionId}`));
}

export async function dispatchToExecutions(
  env: Env,
  projectId: string,
  settings: DetectorSettings,
  batch: PreparedBatch,
): Promise<IngestOutcome> {
  const results = await Promise.allSettled(
    [...batch.byExecution].map(([executionId, events]) =>
      executionStub(env, projectId, executionId).ingest({ projectId, executionId, settings, events }),
    ),
  );
  let accepted = 0;
  let duplicates = batch.duplicatesInRequest;
  const directives: HaltDirective[] = [];
  for (const result of results) {
    if (result.status === "rejected") {
      // Some events may not be stored: the client must retry the request. Events that were stored
      // come back as duplicates on the retry, so retrying is always safe.
      console.error(JSON.stringify({ message: "execution object failed during ingest", error: String(result.reason) }));
      throw new ApiError("unavailable", "Storage is briefly unavailable; retry the request.", { retryAfter: 1 });
    }
    accepted += result.value.accepted;
    duplicates += result.value.duplicates;
    if (result.value.directive) directives.push(result.value.directive);
  }
  return { accepted, duplicates, rejected: batch.rejected, directives };
}
