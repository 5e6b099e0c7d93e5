// Loop latency: the time from "failure observed" (a group's first occurrence, or its regression) to
// "fix shipped", one row per completed loop in D1's fix_loops, as p50 and p90 per failure class and
// per triage category.
import type { FailureClass, TriageCategory } from "../core/failure-classes.ts";
import { CLASS_INFO, isFailureClass } from "../core/failure-classes.ts";

/** The group's category: a person's reclassification, else its class's. */
export function categoryOf(group: { failure_class: string; category_override?: string | null }): TriageCategory | string {
  if (group.category_override) return group.category_override;
  return isFailureClass(group.failure_class) ? CLASS_INFO[group.failure_class as FailureClass].category : "code";
}

export interface LatencyStats {
  loops: number;
  p50_seconds: number | null;
  p90_seconds: number | null;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function stats(values: number[]): LatencyStats {
  const sorted = values.sort((a, b) => a - b);
  return { loops: sorted.length, p50_seconds: percentile(sorted, 0.5), p90_seconds: percentile(sorted, 0.9) };
}

export interface LoopLatencyWindow {
  days: number;
  overall: LatencyStats;
  by_class: Record<string, LatencyStats>;
  by_category: Record<string, LatencyStats>;
}

/** Loops whose fix shipped in the last `days`, to at most `MAX_LOOPS` (the newest). */
const MAX_LOOPS = 20_000;

export async function loopLatency(db: D1Database, projectId: string, days: number, now = Date.now()): Promise<LoopLatencyWindow> {
  const { results } = await db
    .prepare("SELECT failure_class, category, observed_at, shipped_at FROM fix_loops WHERE project_id = ? AND shipped_at > ? ORDER BY shipped_at DESC LIMIT ?")
    .bind(projectId, now - days * 86_400_000, MAX_LOOPS)
    .all<{ failure_class: string; category: string; observed_at: number; shipped_at: number }>();
  const all: number[] = [];
  const byClass = new Map<string, number[]>();
  const byCategory = new Map<string, number[]>();
  for (const r of results) {
    const seconds = Math.max(0, Math.round((r.shipped_at - r.observed_at) / 1000));
    all.push(seconds);
    byClass.set(r.failure_class, [...(byClass.get(r.failure_class) ?? []), seconds]);
    byCategory.set(r.category, [...(byCategory.get(r.category) ?? []), seconds]);
  }
  return {
    days,
    overall: stats(all),
    by_class: Object.fromEntries([...byClass].map(([k, v]) => [k, stats(v)])),
    by_category: Object.fromEntries([...byCategory].map(([k, v]) => [k, stats(v)])),
  };
}
