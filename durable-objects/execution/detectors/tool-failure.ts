// tool_failure: a tool call came back failed. Signature: tool and error type, so one broken tool
// with one kind of error is one group however many executions hit it.
import { cleanSignaturePart } from "./text.ts";
import { defineDetector } from "./types.ts";

type State = Record<string, number>;

export const toolFailureDetector = defineDetector<State>({
  failureClass: "tool_failure",
  eventTypes: ["tool_call"],
  initialState: () => ({}),
  revive: (stored) => stored as State,
  observe(event, ctx) {
    if (event.type !== "tool_call" || event.status !== "failed") return null;
    const signature = `${cleanSignaturePart(event.tool, 64)}:${cleanSignaturePart(event.error?.type ?? "error", 64)}`;
    const failures = (ctx.state[signature] ?? 0) + 1;
    // The per-signature counters are bounded by the distinct (tool, error type) pairs of one run.
    if (Object.keys(ctx.state).length < 256 || signature in ctx.state) {
      ctx.state[signature] = failures;
      ctx.touch();
    }
    if (failures < ctx.settings.tool_failure.min_failures) return null;
    return { signature, detail: { tool: event.tool, failures, event_id: event.id } };
  },
});
