// Scoring: ground truth against what Vigil's read API shows per execution. Pure.
//
// - An injection is detected when a finding of its class is on one of its `detect_on` executions
//   (the execution the class's detector attributes findings to: the run itself, the parent of a
//   cascade, the root of a deadlock, any member of an episode).
// - A finding of class C on an execution where C is not allowed (clean executions allow nothing;
//   injected ones allow their class where it is expected plus the documented implied classes) is a
//   false positive of C.
// - precision(C) = detected(C) / (detected(C) + false positives(C)).
// - The clean rate: clean executions with any finding / clean executions.
import type { GroundTruth } from "./generator/types.ts";

export interface ObservedFinding {
  failure_class: string;
  signature: string;
  group_id: string;
}

export interface ClassRow {
  failure_class: string;
  mode: string;
  deterministic: boolean;
  injected: number;
  detected: number;
  false_positives: number;
  precision: number | null;
  recall: number | null;
  median_latency_ms: number | null;
  missed: string[];
  fp_examples: string[];
}

export interface Score {
  rows: ClassRow[];
  clean_executions: number;
  clean_with_findings: number;
  clean_rate: number;
  clean_examples: string[];
  gates: { name: string; ok: boolean; detail: string }[];
  ok: boolean;
}

export const RECALL_GATE = 0.95;
export const CLEAN_RATE_GATE = 0.001;
export const MIN_CLEAN = 1000;

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function score(
  truth: GroundTruth,
  observed: ReadonlyMap<string, readonly ObservedFinding[]>,
  modes: readonly { mode: string; failure_class: string; deterministic: boolean }[],
  latencies: ReadonlyMap<string, number> = new Map(),
): Score {
  const byExec = new Map(truth.executions.map((e) => [e.execution_id, e]));
  const rows = new Map<string, ClassRow>();
  for (const m of modes) {
    rows.set(m.failure_class, {
      failure_class: m.failure_class,
      mode: m.mode,
      deterministic: m.deterministic,
      injected: 0,
      detected: 0,
      false_positives: 0,
      precision: null,
      recall: null,
      median_latency_ms: null,
      missed: [],
      fp_examples: [],
    });
  }
  const lat = new Map<string, number[]>();
  for (const inj of truth.injections) {
    const row = rows.get(inj.failure_class)!;
    row.injected++;
    const hit = inj.detect_on.some((id) => (observed.get(id) ?? []).some((f) => f.failure_class === inj.failure_class));
    if (hit) {
      row.detected++;
      const l = latencies.get(inj.id);
      if (l !== undefined) lat.set(inj.failure_class, [...(lat.get(inj.failure_class) ?? []), l]);
    } else row.missed.push(inj.id);
  }
  let cleanN = 0;
  let cleanHit = 0;
  const cleanExamples: string[] = [];
  for (const e of truth.executions) {
    const found = observed.get(e.execution_id) ?? [];
    if (e.role === "clean") {
      cleanN++;
      if (found.length > 0) {
        cleanHit++;
        if (cleanExamples.length < 10) cleanExamples.push(`${e.execution_id}: ${found.map((f) => `${f.failure_class} ${f.signature}`).join(", ")}`);
      }
    }
    for (const f of found) {
      if (e.allowed_classes.includes(f.failure_class)) continue;
      const row = rows.get(f.failure_class) ?? rows.set(f.failure_class, { failure_class: f.failure_class, mode: "-", deterministic: false, injected: 0, detected: 0, false_positives: 0, precision: null, recall: null, median_latency_ms: null, missed: [], fp_examples: [] }).get(f.failure_class)!;
      row.false_positives++;
      if (row.fp_examples.length < 5) row.fp_examples.push(`${e.execution_id} (${e.mode ?? "clean"}): ${f.signature}`);
    }
  }
  for (const id of observed.keys()) if (!byExec.has(id)) throw new Error(`finding on an execution the lab did not send: ${id}`);
  for (const row of rows.values()) {
    row.recall = row.injected ? row.detected / row.injected : null;
    row.precision = row.detected + row.false_positives ? row.detected / (row.detected + row.false_positives) : null;
    row.median_latency_ms = median(lat.get(row.failure_class) ?? []);
  }
  const list = [...rows.values()];
  const cleanRate = cleanN ? cleanHit / cleanN : 0;
  const gates = [
    ...list
      .filter((r) => r.deterministic && r.injected > 0)
      .map((r) => ({ name: `recall ${r.failure_class} >= ${RECALL_GATE}`, ok: (r.recall ?? 0) >= RECALL_GATE, detail: `${r.detected}/${r.injected}` })),
    { name: `clean executions >= ${MIN_CLEAN}`, ok: cleanN >= MIN_CLEAN, detail: String(cleanN) },
    { name: `clean executions with any finding <= ${CLEAN_RATE_GATE * 100} %`, ok: cleanRate <= CLEAN_RATE_GATE, detail: `${cleanHit}/${cleanN}` },
  ];
  return { rows: list, clean_executions: cleanN, clean_with_findings: cleanHit, clean_rate: cleanRate, clean_examples: cleanExamples, gates, ok: gates.every((g) => g.ok) };
}
