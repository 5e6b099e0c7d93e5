// hitl_rejection_spike: over the last hour (default), at least 5 distinct executions had a human
// intervention and at least 40 % of the answers were rejections (signature `rejected`) or 30 %
// edits (`edited`). Fires when a spike starts; a spike that ends re-arms it.
import type { ProjectDetector } from "./types.ts";
import { signalsOfKind } from "./types.ts";

export const hitlRejectionSpikeDetector: ProjectDetector = {
  failureClass: "hitl_rejection_spike",
  kinds: ["human_intervention"],
  observe(signals, ctx) {
    const answers = signalsOfKind(signals, "human_intervention");
    if (answers.length === 0) return;
    for (const s of answers) {
      ctx.sql.exec(
        "INSERT INTO hitl_responses (event_id, ts, execution_id, response_kind) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        s.event_id,
        s.ts,
        s.execution_id,
        s.response_kind,
      );
    }
    const last = answers.reduce((a, b) => (b.ts > a.ts ? b : a));
    const settings = ctx.settings.hitl_rejection_spike;
    const since = last.ts - settings.window_minutes * 60_000;
    const stats = ctx.sql
      .exec<{ executions: number; total: number; rejected: number; edited: number }>(
        `SELECT count(DISTINCT execution_id) AS executions, count(*) AS total,
           sum(response_kind = 'rejected') AS rejected, sum(response_kind = 'edited') AS edited
         FROM hitl_responses WHERE ts > ? AND ts <= ?`,
        since,
        last.ts,
      )
      .one();
    for (const [signature, count, share] of [
      ["rejected", stats.rejected, settings.rejected_share],
      ["edited", stats.edited, settings.edited_share],
    ] as const) {
      const key = `hitl_rejection_spike:${signature}`;
      const spiking = stats.executions >= settings.min_executions && stats.total > 0 && count / stats.total >= share;
      if (!spiking) {
        // Only a newer window ends a spike: an older batch arriving late must not re-arm it.
        const active = ctx.state.get<{ since: number }>(key);
        if (active && last.ts > active.since) ctx.state.delete(key);
        continue;
      }
      if (ctx.state.get(key)) continue;
      ctx.state.set(key, { since: last.ts });
      ctx.emit({
        signature,
        execution_id: last.execution_id,
        ts: last.ts,
        detail: {
          executions: stats.executions,
          interventions: stats.total,
          [signature]: count,
          share: Math.round((count / stats.total) * 1000) / 1000,
          threshold: share,
          window_minutes: settings.window_minutes,
        },
      });
    }
  },
};
