// grounding_failure: an evaluator judged the output ungrounded: `passed=false`, or the running mean
// of a higher-is-better score for one (evaluator, metric) fell below the threshold (default 0.5).
import { cleanSignaturePart } from "./text.ts";
import { defineDetector } from "./types.ts";

/** Running sums per evaluator:metric, bounded by the distinct metrics of one run. */
type State = Record<string, { sum: number; n: number }>;
const MAX_METRICS = 128;

export const groundingFailureDetector = defineDetector<State>({
  failureClass: "grounding_failure",
  eventTypes: ["eval_score"],
  initialState: () => ({}),
  revive: (stored) => stored as State,
  observe(event, ctx) {
    if (event.type !== "eval_score") return null;
    const signature = `${cleanSignaturePart(event.evaluator, 64)}:${cleanSignaturePart(event.metric, 64)}`;
    if (event.passed === false) {
      return { signature, detail: { score: event.score, reason: "passed_false", event_id: event.id } };
    }
    if (event.passed === true || event.higher_is_better === false) return null;
    const running = ctx.state[signature] ?? { sum: 0, n: 0 };
    running.sum += event.score;
    running.n += 1;
    if (signature in ctx.state || Object.keys(ctx.state).length < MAX_METRICS) {
      ctx.state[signature] = running;
      ctx.touch();
    }
    const mean = running.sum / running.n;
    const threshold = ctx.settings.grounding_failure.min_mean_score;
    if (mean >= threshold) return null;
    return {
      signature,
      detail: { mean_score: Math.round(mean * 1000) / 1000, threshold, scores: running.n, event_id: event.id },
    };
  },
});
