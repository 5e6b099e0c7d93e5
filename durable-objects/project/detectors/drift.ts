// drift: the project's traffic moved away from its baseline. Two signatures:
// - `model_mix`: the share of calls per model in the last window against the baseline's, as total
//   variation distance (0 = same mix, 1 = disjoint), at or above `model_mix_distance`;
// - `lexical`: hashed character 3-gram profiles of prompts (newest turns) and outputs, as cosine
//   distance, at or above `lexical_distance`.
// The baseline is the first window with enough calls, or an explicit snapshot
// (POST /v1/drift/baseline) when a change was intended. Profiles are summed in 5-minute buckets,
// so a window costs at most a few dozen rows whatever the traffic.
import { PROFILE_BUCKETS } from "../../execution/detectors/text.ts";
import type { ProjectDetector, ProjectDetectorContext } from "./types.ts";
import { signalsOfKind } from "./types.ts";

export const DRIFT_BUCKET_MS = 5 * 60_000;
/** Drift is re-evaluated at most this often (event time): its inputs change slowly. */
const EVALUATE_EVERY_MS = 60_000;

interface WindowProfile {
  calls: number;
  models: Record<string, number>;
  samples: number;
  vector: number[];
}

export function windowProfile(sql: SqlStorage, now: number, windowMs: number): WindowProfile {
  const from = Math.floor((now - windowMs) / DRIFT_BUCKET_MS);
  const models: Record<string, number> = {};
  let calls = 0;
  for (const r of sql.exec<{ model: string; n: number }>("SELECT model, sum(calls) AS n FROM model_usage WHERE bucket > ? GROUP BY model", from)) {
    models[r.model] = r.n;
    calls += r.n;
  }
  const vector = new Array<number>(PROFILE_BUCKETS).fill(0);
  let samples = 0;
  for (const r of sql.exec<{ vector: string; samples: number }>("SELECT vector, samples FROM lexical_profile WHERE bucket > ?", from)) {
    const v = JSON.parse(r.vector) as number[];
    for (let i = 0; i < PROFILE_BUCKETS; i++) vector[i]! += v[i] ?? 0;
    samples += r.samples;
  }
  return { calls, models, samples, vector };
}

export function storeBaseline(sql: SqlStorage, profile: WindowProfile, now: number): void {
  const put = "INSERT INTO drift_baseline (kind, data, created_at, samples) VALUES (?, ?, ?, ?) ON CONFLICT (kind) DO UPDATE SET data = excluded.data, created_at = excluded.created_at, samples = excluded.samples";
  sql.exec(put, "model_mix", JSON.stringify(profile.models), now, profile.calls);
  sql.exec(put, "lexical", JSON.stringify(profile.vector), now, profile.samples);
}

function totalVariation(a: Record<string, number>, b: Record<string, number>): number {
  const ta = Object.values(a).reduce((x, y) => x + y, 0) || 1;
  const tb = Object.values(b).reduce((x, y) => x + y, 0) || 1;
  let sum = 0;
  for (const m of new Set([...Object.keys(a), ...Object.keys(b)])) sum += Math.abs((a[m] ?? 0) / ta - (b[m] ?? 0) / tb);
  return sum / 2;
}

function cosineDistance(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * (b[i] ?? 0);
    na += a[i]! * a[i]!;
    nb += (b[i] ?? 0) * (b[i] ?? 0);
  }
  return na === 0 || nb === 0 ? 0 : 1 - dot / Math.sqrt(na * nb);
}

/**
 * Fires once per drift episode. The episode ends only when the distance falls clearly below the
 * threshold (hysteresis), so a window sliding back and forth across it does not fire again.
 */
const REARM_BELOW = 0.8;

function onRisingEdge(ctx: ProjectDetectorContext, key: string, distance: number, threshold: number): boolean {
  if (distance < threshold) {
    if (distance < threshold * REARM_BELOW) ctx.state.delete(key);
    return false;
  }
  if (ctx.state.get(key)) return false;
  ctx.state.set(key, true);
  return true;
}

export const driftDetector: ProjectDetector = {
  failureClass: "drift",
  kinds: ["llm_usage"],
  observe(signals, ctx) {
    const calls = signalsOfKind(signals, "llm_usage");
    if (calls.length === 0) return;
    const buckets = new Map<number, { vector: number[]; samples: number }>();
    const usage = new Map<string, { bucket: number; model: string; calls: number }>();
    for (const s of calls) {
      const bucket = Math.floor(s.ts / DRIFT_BUCKET_MS);
      const key = `${bucket}\u0000${s.model}`;
      const u = usage.get(key);
      if (u) u.calls++;
      else usage.set(key, { bucket, model: s.model, calls: 1 });
      if (s.grams.length === 0) continue;
      let acc = buckets.get(bucket);
      if (!acc) buckets.set(bucket, (acc = { vector: new Array<number>(PROFILE_BUCKETS).fill(0), samples: 0 }));
      for (let i = 0; i + 1 < s.grams.length; i += 2) acc.vector[s.grams[i]!]! += s.grams[i + 1]!;
      acc.samples++;
    }
    for (const u of usage.values()) {
      ctx.sql.exec(
        "INSERT INTO model_usage (bucket, model, calls) VALUES (?, ?, ?) ON CONFLICT (bucket, model) DO UPDATE SET calls = calls + excluded.calls",
        u.bucket,
        u.model,
        u.calls,
      );
    }
    for (const [bucket, acc] of buckets) {
      const row = ctx.sql.exec<{ vector: string; samples: number }>("SELECT vector, samples FROM lexical_profile WHERE bucket = ?", bucket).toArray()[0];
      if (row) {
        const old = JSON.parse(row.vector) as number[];
        for (let i = 0; i < PROFILE_BUCKETS; i++) acc.vector[i]! += old[i] ?? 0;
      }
      ctx.sql.exec(
        "INSERT INTO lexical_profile (bucket, vector, samples) VALUES (?, ?, ?) ON CONFLICT (bucket) DO UPDATE SET vector = excluded.vector, samples = excluded.samples",
        bucket,
        JSON.stringify(acc.vector),
        acc.samples + (row?.samples ?? 0),
      );
    }

    const last = calls.reduce((a, b) => (b.ts > a.ts ? b : a));
    // The project's clock for drift is the newest call it has seen (event time).
    if (last.ts > (ctx.state.get<number>("drift:last_seen") ?? -Infinity)) ctx.state.set("drift:last_seen", last.ts);
    const lastEval = ctx.state.get<number>("drift:last_evaluated") ?? -Infinity;
    if (last.ts - lastEval < EVALUATE_EVERY_MS && last.ts >= lastEval) return;
    ctx.state.set("drift:last_evaluated", last.ts);
    const settings = ctx.settings.drift;
    const current = windowProfile(ctx.sql, last.ts, settings.window_minutes * 60_000);
    const baselines = new Map(
      ctx.sql.exec<{ kind: string; data: string; samples: number; created_at: number }>("SELECT * FROM drift_baseline").toArray().map((r) => [r.kind, r]),
    );
    if (baselines.size === 0) {
      if (current.calls >= settings.min_calls) storeBaseline(ctx.sql, current, last.ts);
      return;
    }
    const mixBase = baselines.get("model_mix");
    if (mixBase && current.calls >= settings.min_calls) {
      const distance = totalVariation(current.models, JSON.parse(mixBase.data) as Record<string, number>);
      if (onRisingEdge(ctx, "drift:model_mix", distance, settings.model_mix_distance)) {
        ctx.emit({
          signature: "model_mix",
          execution_id: last.execution_id,
          ts: last.ts,
          detail: {
            distance: Math.round(distance * 1000) / 1000,
            threshold: settings.model_mix_distance,
            current_models: Object.keys(current.models).sort(),
            baseline_models: Object.keys(JSON.parse(mixBase.data) as object).sort(),
            baseline_at: new Date(mixBase.created_at).toISOString(),
          },
        });
      }
    }
    const lexBase = baselines.get("lexical");
    if (lexBase && current.samples >= settings.min_calls) {
      const distance = cosineDistance(current.vector, JSON.parse(lexBase.data) as number[]);
      if (onRisingEdge(ctx, "drift:lexical", distance, settings.lexical_distance)) {
        ctx.emit({
          signature: "lexical",
          execution_id: last.execution_id,
          ts: last.ts,
          detail: {
            distance: Math.round(distance * 1000) / 1000,
            threshold: settings.lexical_distance,
            samples: current.samples,
            baseline_at: new Date(lexBase.created_at).toISOString(),
          },
        });
      }
    }
  },
};
