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
      const tenants = ctx.sql
        .exec<{ n: number }>(
          "SELECT count(DISTINCT tenant_key) AS n FROM provider_errors WHERE provider = ? AND error_class = ? AND ts > ? AND ts <= ?",
          s.provider,
          s.error_class,
          s.ts - windowMs,
          s.ts,
        )
        .one().n;
      const stateKey = `provider_incident:${key}`;
      const prior = ctx.state.get<IncidentState>(stateKey);
      const reported = prior && prior.last_ts > s.ts - windowMs ? prior.tenants : 0;
      if (tenants < settings.min_tenants) {
        if (prior) ctx.state.delete(stateKey);
        continue;
      }
      if (tenants <= reported) continue;
      ctx.state.set(stateKey, { tenants, last_ts: s.ts } satisfies IncidentState);
      ctx.emit({
        signature: `${cleanSignaturePart(s.provider, 64)}:${s.error_class}`,
        execution_id: s.execution_id,
        ts: s.ts,
        detail: { provider: s.provider, error_class: s.error_class, tenants, window_minutes: settings.window_minutes, min_tenants: settings.min_tenants },
      });
    }
  },
};
