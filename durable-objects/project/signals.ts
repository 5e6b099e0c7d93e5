// What the Worker tells the project object about each ingest request: a compact signal per event
// that matters across executions. Signals carry their event id, so a replayed batch is recognised
// and counts once; the extraction lives in workers/ingest/project-signals.ts.

interface SignalBase {
  event_id: string;
  execution_id: string;
  /** Event time, epoch ms: windows slide on event time. */
  ts: number;
}

export type ProjectSignal =
  | (SignalBase & { kind: "execution_started"; tenant: string | null; name: string | null; agent: string | null; parent_execution_id: string | null })
  | (SignalBase & { kind: "execution_finished"; status: string })
  | (SignalBase & { kind: "provider_error"; tenant: string | null; provider: string; error_class: string })
  | (SignalBase & { kind: "human_intervention"; response_kind: string })
  | (SignalBase & {
      kind: "llm_usage";
      model: string;
      cost_usd: number | null;
      input_tokens: number | null;
      output_tokens: number | null;
      /** Hashed character 3-gram counts of the call's newest turns and response, as [bucket, count, ...]. */
      grams: Uint32Array;
    })
  /** `shape`: the result's paths and value types as canonical JSON (project-signals.ts canonicalShape). */
  | (SignalBase & { kind: "tool_result"; tool: string; shape: string })
  | (SignalBase & { kind: "handoff"; from_agent: string; to_agent: string; child_execution_id: string | null });

export type SignalKind = ProjectSignal["kind"];

/**
 * The signals of the events one execution object stored in one ingest call, or of duplicates the
 * call found, labelled with the batch that first stored them (`ExecutionBatchResult`). The project
 * object applies a stored batch's signals once by (execution, batch); `batch` null (events stored
 * before batches were kept, or a caller that knows no batch) falls back to one check per signal.
 */
export interface SignalGroup {
  execution_id: string;
  batch: number | null;
  /** True for the events this call stored; false for duplicates (a retry, or a concurrent twin). */
  stored_now: boolean;
  /** Positions of the group's signals in the request's signal list (which keeps event order). */
  indices: number[];
}
