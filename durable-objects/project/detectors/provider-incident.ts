// provider_incident: distinct tenants of the project saw the same provider-side error class from
// the same provider within the window (default: 2 tenants in 15 minutes). One group per (provider,
// error class); each further tenant hit during the incident is one more occurrence. An event with no
// tenant_id counts its execution as the tenant, so single-tenant apps see incidents too.
import { cleanSignaturePart } from "../../execution/detectors/text.ts";
import type { ProjectDetector } from "./types.ts";
import { signalsOfKind } from "./types.ts";

interface IncidentState {
  tenants: number;
  last_ts: number;
}

export const providerIncidentDetector: ProjectDetector = {
  failureClass: "provider_incident",
  kinds: ["provider_error"],
  observe(signals, ctx) {
    const settings = ctx.settings.provider_incident;
    const windowMs = settings.window_minutes * 60_000;
    const latest = new Map<string, (typeof errors)[number]>();
    const errors = signalsOfKind(signals, "provider_error");
    for (const s of errors) {
      ctx.sql.exec(
        "INSERT INTO provider_errors (event_id, ts, provider, error_class, tenant_key, execution_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        s.event_id,
        s.ts,
        s.provider,
        s.error_class,
        s.tenant ?? `execution:${s.execution_id}`,
        s.execution_id,
      );
      const key = `${s.provider}\u0000${s.error_class}`;
      const prior = latest.get(key);
      if (!prior || prior.ts <= s.ts) latest.set(key, s);
    }
    for (const [key, s] of latest) {
      // Errors arrive in any order: look at every window of the errors around this batch's, so an
      // older error arriving last still completes the incident it belongs to.
      const newest = errors.filter((e) => `${e.provider}\u0000${e.error_class}` === key).reduce((a, b) => Math.min(a, b.ts), s.ts);
      const rows = ctx.sql
        .exec<{ ts: number; tenant_key: string }>(
          "SELECT ts, tenant_key FROM provider_errors WHERE provider = ? AND error_class = ? AND ts > ? AND ts <= ? ORDER BY ts",
          s.provider,
          s.error_class,
          newest - windowMs,
          s.ts + windowMs,
        )
        .toArray();
      const { tenants, end } = mostTenantsInAWindow(rows, windowMs);
      const stateKey = `provider_incident:${key}`;
      const prior = ctx.state.get<IncidentState>(stateKey);
      const reported = prior && prior.last_ts > end - windowMs ? prior.tenants : 0;
      if (tenants < settings.min_tenants) {
        if (prior && prior.last_ts <= end - windowMs) ctx.state.delete(stateKey);
        continue;
      }
      if (tenants <= reported) continue;
      ctx.state.set(stateKey, { tenants, last_ts: Math.max(end, prior?.last_ts ?? 0) } satisfies IncidentState);
      ctx.emit({
        signature: `${cleanSignaturePart(s.provider, 64)}:${s.error_class}`,
        execution_id: s.execution_id,
        ts: s.ts,
        detail: { provider: s.provider, error_class: s.error_class, tenants, window_minutes: settings.window_minutes, min_tenants: settings.min_tenants },
      });
    }
  },
};

/** The most distinct tenants in any window (end - windowMs, end] over rows sorted by time. */
export function mostTenantsInAWindow(rows: readonly { ts: number; tenant_key: string }[], windowMs: number): { tenants: number; end: number } {
  const inWindow = new Map<string, number>();
  let best = { tenants: 0, end: rows[0]?.ts ?? 0 };
  let start = 0;
  for (const row of rows) {
    inWindow.set(row.tenant_key, (inWindow.get(row.tenant_key) ?? 0) + 1);
    while (rows[start]!.ts <= row.ts - windowMs) {
      const t = rows[start]!.tenant_key;
      const n = inWindow.get(t)! - 1;
      if (n === 0) inWindow.delete(t);
      else inWindow.set(t, n);
      start++;
    }
    if (inWindow.size > best.tenants) best = { tenants: inWindow.size, end: row.ts };
  }
  return best;
}
