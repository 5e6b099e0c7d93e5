// identical_call_loop: the same model and messages sent more than `max_repeats` times (default 3)
// within the last `window` calls. Only hashes are kept, in a bounded ring.
import { CountingWindow, agentModelSignature, cleanSignaturePart, hash53 } from "./text.ts";
import { defineDetector } from "./types.ts";

export const identicalCallLoopDetector = defineDetector<CountingWindow | null>({
  failureClass: "identical_call_loop",
  eventTypes: ["llm_call"],
  initialState: () => null,
  revive: CountingWindow.revive,
  observe(event, ctx) {
    if (event.type !== "llm_call") return null;
    const settings = ctx.settings.identical_call_loop;
    const window = (ctx.state ??= new CountingWindow(settings.window));
    const payload = event.messages ?? [event.system ?? null, event.prompt ?? null];
    const key = hash53(`${event.model}\u0000${JSON.stringify(payload)}`);
    const count = window.add(key);
    ctx.touch();
    if (count <= settings.max_repeats) return null;
    return {
      signature: cleanSignaturePart(agentModelSignature(event.agent, event.model), 160),
      detail: { repeats: count, max_repeats: settings.max_repeats, event_id: event.id },
    };
  },
});
