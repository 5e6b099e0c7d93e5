// crash: the execution finished with status `crashed`. The signature is the client's
// `crash_signature` when sent, else the error type plus the two innermost stack frames, normalised
// so that line numbers, addresses and ids never split one root cause into several groups.
import { cleanSignaturePart } from "./text.ts";
import { defineDetector } from "./types.ts";

const PYTHON_FRAME = /File "([^"]*)", line \d+, in ([^\s]+)/g;
const JS_OR_JAVA_FRAME = /^\s*at (?:async )?([^\s(]+)(?: \[as [^\]]+\])?\s*\(?([^():\s]*)/gm;
const GO_FRAME = /^([\w./*()-]+)\(.*\)\s*$/gm;

function normaliseFrame(name: string): string {
  return name
    .replace(/0x[0-9a-f]+/gi, "")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "")
    .replace(/\d{4,}/g, "")
    .replace(/[$_.]+$/g, "")
    .slice(0, 64);
}

/** The innermost frames first, by language convention of the stack's format. */
export function innermostFrames(stack: string, count = 2): string[] {
  const python = [...stack.matchAll(PYTHON_FRAME)].map((m) => m[2]!);
  if (python.length > 0) return python.reverse().slice(0, count).map(normaliseFrame); // Python lists innermost last
  const js = [...stack.matchAll(JS_OR_JAVA_FRAME)].map((m) => m[1] || m[2] || "");
  if (js.length > 0) return js.filter(Boolean).slice(0, count).map(normaliseFrame);
  const go = [...stack.matchAll(GO_FRAME)].map((m) => m[1]!);
  return go.slice(0, count).map(normaliseFrame);
}

export function crashSignature(error: { type: string; stack?: string } | undefined): string {
  const type = cleanSignaturePart(error?.type ?? "UnknownError", 64);
  const frames = error?.stack ? innermostFrames(error.stack).filter(Boolean) : [];
  return frames.length > 0 ? `${type}@${frames.join("←")}` : type;
}

export const crashDetector = defineDetector<null>({
  failureClass: "crash",
  eventTypes: ["execution_finished"],
  initialState: () => null,
  revive: () => null,
  observe(event) {
    if (event.type !== "execution_finished" || event.status !== "crashed") return null;
    const signature = event.crash_signature
      ? cleanSignaturePart(event.crash_signature, 160)
      : crashSignature(event.error);
    return { signature, detail: { event_id: event.id, error_type: event.error?.type ?? null } };
  },
});
