// token_waste: the same prompt (the first `prefix_chars` characters of the call's newest turns)
// sent `min_repeats` or more times within the last `window` calls, after the same action (the
// agent's last assistant turn): tokens paid again for an answer the agent already had. Different
// actions that happen to return the same data are not waste, nor are short texts
// (acknowledgements, empty tool results).
import { CountingWindow, agentModelSignature, cleanSignaturePart, hash53, lastActionText, newestTurnText } from "./text.ts";
import { defineDetector } from "./types.ts";

export const tokenWasteDetector = defineDetector<CountingWindow | null>({
  failureClass: "token_waste",
  eventTypes: ["llm_call"],
  initialState: () => null,
  revive: CountingWindow.revive,
  observe(event, ctx) {
    if (event.type !== "llm_call") return null;
    const settings = ctx.settings.token_waste;
    const prefix = newestTurnText(event).slice(0, settings.prefix_chars);
    if (prefix.length < settings.min_chars) return null;
    const window = (ctx.state ??= new CountingWindow(settings.window));
    const count = window.add(hash53(`${lastActionText(event.messages)}\u0000${prefix}`));
    ctx.touch();
    if (count < settings.min_repeats) return null;
    return {
      signature: cleanSignaturePart(agentModelSignature(event.agent, event.model), 160),
      detail: {
        repeats: count,
        min_repeats: settings.min_repeats,
        wasted_input_tokens: event.input_tokens ?? null,
        event_id: event.id,
      },
    };
  },
});
