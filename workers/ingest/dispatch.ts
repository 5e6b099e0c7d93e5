// Hands prepared events to their execution objects (one RPC per execution per request), then the
// request's project signals to the project object (one RPC per request), and folds the answers
// into the ingest response of spec 4.3. Shared by native and OpenTelemetry ingest. The execution
// objects deduplicate by event id and say which batch stored each event; the project object
// applies a batch's signals once by (execution, batch), so a retried request is always safe.
import type { DetectorSettings } from "../core/detector-settings.ts";
import { ApiError } from "../errors.ts";
import type { ExecutionBatchResult, HaltDirective } from "../../durable-objects/execution/rpc-types.ts";
import type { ProjectSignal, SignalGroup } from "../../durable-objects/project/signals.ts";
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
  const executions = [...batch.byExecution.keys()];
  const results = await Promise.allSettled(
    executions.map((executionId) => executionStub(env, projectId, executionId).ingest({ projectId, executionId, settings, events: batch.byExecution.get(executionId)! })),
  );
  let accepted = 0;
  let duplicates = batch.duplicatesInRequest;
  const directives: HaltDirective[] = [];
  const snapshots: ExecutionSnapshot[] = [];
  const answers = new Map<string, ExecutionBatchResult>();
  results.forEach((result, i) => {
    if (result.status === "rejected") {
      // Some events may not be stored: the client must retry the request. Events that were stored
      // come back as duplicates on the retry, with the batch that stored them, so their signals
      // still reach the project object then: retrying is always safe.
      console.error(JSON.stringify({ message: "execution object failed during ingest", error: String(result.reason) }));
      throw new ApiError("unavailable", "Storage is briefly unavailable; retry the request.", { retryAfter: 1 });
    }
    const value = result.value as ExecutionBatchResult;
    answers.set(executions[i]!, value);
    accepted += value.accepted;
    duplicates += value.duplicates;
    if (value.directive) directives.push(value.directive);
    if (value.snapshot) snapshots.push(value.snapshot);
  });
  if (batch.signals.length > 0) {
    shareGramBuffer(batch.signals);
    try {
      await projectStub(env, projectId).observe({ projectId, settings, signals: batch.signals, groups: signalGroups(batch.signals, answers) });
    } catch (error) {
      console.error(JSON.stringify({ message: "project object failed during ingest", error: String(error) }));
      throw new ApiError("unavailable", "Storage is briefly unavailable; retry the request.", { retryAfter: 1 });
    }
  }
  return { accepted, duplicates, rejected: batch.rejected, directives, snapshots };
}

/**
 * Moves every call's 3-gram profile into one buffer, each signal keeping a view of its part: the
 * RPC to the project object then copies one buffer per request instead of one per call.
 */
function shareGramBuffer(signals: ProjectSignal[]): void {
  let total = 0;
  for (const s of signals) if (s.kind === "llm_usage") total += s.grams.length;
  if (total === 0) return;
  const shared = new Uint32Array(total);
  let at = 0;
  for (const s of signals) {
    if (s.kind !== "llm_usage") continue;
    shared.set(s.grams, at);
    s.grams = shared.subarray(at, at + s.grams.length);
    at += s.grams.length;
  }
}

/**
 * Labels each signal with the batch that stored its event, from the execution objects' answers:
 * the batch this request stored, or for a duplicate the batch that stored it first.
 */
export function signalGroups(signals: readonly ProjectSignal[], answers: ReadonlyMap<string, ExecutionBatchResult>): SignalGroup[] {
  const earlierOf = new Map<string, Map<string, number | null>>();
  for (const [executionId, answer] of answers) {
    if (answer.earlier.length > 0) earlierOf.set(executionId, new Map(answer.earlier.map((e) => [e.id, e.batch])));
  }
  // The usual request stored every event it carried: one group per execution, found by its id.
  const stored = new Map<string, SignalGroup>();
  const groups = new Map<string, SignalGroup>();
  signals.forEach((signal, index) => {
    const earlier = earlierOf.get(signal.execution_id);
    // A duplicate belongs to the batch that first stored it; anything else to this request's batch.
    const duplicate = earlier?.has(signal.event_id) ?? false;
    const batch = duplicate ? (earlier!.get(signal.event_id) ?? null) : (answers.get(signal.execution_id)?.batch ?? null);
    const storedNow = !duplicate && batch !== null;
    if (storedNow) {
      const group = stored.get(signal.execution_id);
      if (group) group.indices.push(index);
      else stored.set(signal.execution_id, { execution_id: signal.execution_id, batch, stored_now: true, indices: [index] });
      return;
    }
    const key = `${signal.execution_id}\u0000${batch}`;
    const group = groups.get(key);
    if (group) group.indices.push(index);
    else groups.set(key, { execution_id: signal.execution_id, batch, stored_now: false, indices: [index] });
  });
  return [...stored.values(), ...groups.values()];
}
