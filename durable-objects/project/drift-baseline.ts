// Snapshots the current window as the drift baseline, for POST /v1/drift/baseline.
import type { DetectorSettings } from "../../workers/core/detector-settings.ts";
import { storeBaseline, windowProfile } from "./detectors/drift.ts";

export function driftWindowSummary(profile: ReturnType<typeof windowProfile>, now: number) {
  return { baseline_at: new Date(now).toISOString(), calls: profile.calls, models: profile.models, profiled_samples: profile.samples };
}

/** `fallbackNow` is used only before any call was seen; windows otherwise run on event time. */
export function snapshotDriftBaseline(sql: SqlStorage, settings: DetectorSettings, fallbackNow: number) {
  const seen = sql.exec<{ value: string }>("SELECT value FROM detector_state WHERE key = 'drift:last_seen'").toArray()[0];
  const now = seen ? (JSON.parse(seen.value) as number) : fallbackNow;
  const profile = windowProfile(sql, now, settings.drift.window_minutes * 60_000);
  storeBaseline(sql, profile, now);
  return driftWindowSummary(profile, now);
}
