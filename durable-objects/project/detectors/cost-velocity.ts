// cost_velocity, the project half: a workload's mean cost per execution over the last window rose
// to `max_ratio` (default 2x) of the prior window's mean, each window holding at least
// `min_executions` runs. The workload is the execution's name. Costs are the events' cost_usd, else
// tokens times the model price (workers/core/model-prices.ts). The per-run budget half lives in
// the execution object.
import { callCostUsd } from "../../../workers/core/model-prices.ts";
import { cleanSignaturePart } from "../../execution/detectors/text.ts";
import type { ProjectDetector } from "./types.ts";

export const costVelocityDetector: ProjectDetector = {
  failureClass: "cost_velocity",
  kinds: ["llm_usage", "execution_started"],
  observe(signals, ctx) {
    const settings = ctx.settings.cost_velocity;
    const touched = new Map<string, { ts: number; execution_id: string }>();
    const perExecution = new Map<string, { cost: number; first: number; last: number }>();
    for (const s of signals) {
      if (s.kind === "execution_started") {
        // The name may arrive after the first costs: move the run to its workload.
        const workload = s.name ?? "default";
        ctx.sql.exec("UPDATE execution_costs SET workload = ? WHERE execution_id = ?", workload, s.execution_id);
        continue;
      }
      if (s.kind !== "llm_usage") continue;
      const cost = callCostUsd(
        { model: s.model, ...(s.cost_usd === null ? {} : { cost_usd: s.cost_usd }), ...(s.input_tokens === null ? {} : { input_tokens: s.input_tokens }), ...(s.output_tokens === null ? {} : { output_tokens: s.output_tokens }) },
        settings.prices,
      );
      if (cost === null) continue;
      const run = perExecution.get(s.execution_id);
      if (run) {
        run.cost += cost;
        run.first = Math.min(run.first, s.ts);
        run.last = Math.max(run.last, s.ts);
      } else {
        perExecution.set(s.execution_id, { cost, first: s.ts, last: s.ts });
      }
    }
    // One write per execution per batch, however many calls it made.
    for (const [executionId, run] of perExecution) {
      const name = ctx.sql.exec<{ name: string | null }>("SELECT name FROM topology_executions WHERE execution_id = ?", executionId).toArray()[0]?.name;
      const workload = name ?? "default";
      ctx.sql.exec(
        `INSERT INTO execution_costs (execution_id, workload, first_ts, cost_usd) VALUES (?, ?, ?, ?)
         ON CONFLICT (execution_id) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd, first_ts = min(first_ts, excluded.first_ts)`,
        executionId,
        workload,
        run.first,
        run.cost,
      );
      const prior = touched.get(workload);
      if (!prior || prior.ts <= run.last) touched.set(workload, { ts: run.last, execution_id: executionId });
    }
    const windowMs = settings.window_minutes * 60_000;
    for (const [workload, last] of touched) {
      const mean = (from: number, to: number) =>
        ctx.sql
          .exec<{ mean: number | null; n: number }>(
            "SELECT avg(cost_usd) AS mean, count(*) AS n FROM execution_costs WHERE workload = ? AND first_ts > ? AND first_ts <= ?",
            workload,
            from,
            to,
          )
          .one();
      const current = mean(last.ts - windowMs, last.ts);
      const prior = mean(last.ts - 2 * windowMs, last.ts - windowMs);
      const key = `cost_velocity:${workload}`;
      const enough = current.n >= settings.min_executions && prior.n >= settings.min_executions && (prior.mean ?? 0) > 0;
      const ratio = enough ? (current.mean ?? 0) / prior.mean! : 0;
      if (ratio < settings.max_ratio) {
        // Only a newer window ends a rise: an older batch arriving late must not re-arm it.
        const active = ctx.state.get<{ since: number }>(key);
        if (enough && active && last.ts > active.since) ctx.state.delete(key);
        continue;
      }
      if (ctx.state.get(key)) continue;
      ctx.state.set(key, { since: last.ts });
      ctx.emit({
        signature: `mean_cost_ratio:${cleanSignaturePart(workload)}`,
        execution_id: last.execution_id,
        ts: last.ts,
        detail: {
          workload,
          mean_cost_usd: Math.round((current.mean ?? 0) * 1e6) / 1e6,
          prior_mean_cost_usd: Math.round(prior.mean! * 1e6) / 1e6,
          ratio: Math.round(ratio * 100) / 100,
          max_ratio: settings.max_ratio,
          executions: current.n,
          prior_executions: prior.n,
          window_minutes: settings.window_minutes,
        },
      });
    }
  },
};
