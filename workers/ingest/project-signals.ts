// Extracts the project-wide signals of one validated, redacted event (see
// durable-objects/project/signals.ts). Work that needs only the event is done here, at the edge, so
// the single project object stays cheap per signal.
import type { ProjectSignal } from "../../durable-objects/project/signals.ts";
import { contentText, hashedTrigramCounts, newestTurnText } from "../../durable-objects/execution/detectors/text.ts";
import type { VigilEvent } from "./event-schema.ts";
import { PROVIDER_SIDE_ERROR_CLASSES } from "./event-schema.ts";

/** Text profiled for lexical drift per call, so profiling cost stays bounded per event. */
const PROFILE_CHARS = 1000;
const MAX_SHAPE_PATHS = 200;
const MAX_SHAPE_DEPTH = 8;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * The shape of a tool result: every path with its value type, object keys in sorted order, array
 * elements merged under `[]`. A JSON string is parsed first (tools often return JSON text).
 */
export function resultShape(result: unknown): Record<string, string> | null {
  let value = result;
  if (typeof value === "string") {
    const t = value.trim();
    if (!(t.startsWith("{") || t.startsWith("["))) return null;
    try {
      value = JSON.parse(t);
    } catch {
      return null;
    }
  }
  if (value === null || typeof value !== "object") return null;
  const shape: Record<string, string> = {};
  let paths = 0;
  const walk = (v: unknown, path: string, depth: number): void => {
    if (paths >= MAX_SHAPE_PATHS) return;
    const t = typeOf(v);
    if (path) {
      // A path seen with two types (e.g. in different array elements) is a union, named in order.
      const prior = shape[path];
      shape[path] = prior && prior !== t ? [...new Set([...prior.split("|"), t])].sort().join("|") : t;
      if (!prior) paths++;
    }
    if (depth >= MAX_SHAPE_DEPTH) return;
    if (Array.isArray(v)) for (const el of v.slice(0, 3)) walk(el, `${path}[]`, depth + 1);
    else if (v !== null && typeof v === "object") {
      for (const key of Object.keys(v).sort()) walk((v as Record<string, unknown>)[key], path ? `${path}.${key}` : key, depth + 1);
    }
  };
  walk(value, "", 0);
  return shape;
}

/**
 * A result shape as the project object compares and stores it: JSON of its paths in sorted order.
 * Sent as one string, it costs the RPC one copy instead of an object of many keys, and the project
 * object nothing to sort.
 */
export function canonicalShape(shape: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(shape).sort(([a], [b]) => (a < b ? -1 : 1))));
}

export function projectSignalsOf(event: VigilEvent, ts: number): ProjectSignal[] {
  const base = { event_id: event.id, execution_id: event.execution_id, ts };
  switch (event.type) {
    case "execution_started":
      return [
        {
          ...base,
          kind: "execution_started",
          tenant: event.tenant_id ?? null,
          name: event.name ?? null,
          agent: event.agent ?? null,
          parent_execution_id: event.parent_execution_id ?? null,
        },
      ];
    case "execution_finished":
      return [{ ...base, kind: "execution_finished", status: event.status }];
    case "human_intervention":
      return [{ ...base, kind: "human_intervention", response_kind: event.response_kind }];
    case "agent_handoff":
      return [{ ...base, kind: "handoff", from_agent: event.from_agent, to_agent: event.to_agent, child_execution_id: event.child_execution_id ?? null }];
    case "tool_call": {
      if (event.status !== "ok" || event.result === undefined) return [];
      const shape = resultShape(event.result);
      return shape ? [{ ...base, kind: "tool_result", tool: event.tool, shape: canonicalShape(shape) }] : [];
    }
    case "llm_call": {
      const out: ProjectSignal[] = [];
      const errorClass = event.error?.class;
      if (event.status === "error" && errorClass && PROVIDER_SIDE_ERROR_CLASSES.has(errorClass)) {
        out.push({ ...base, kind: "provider_error", tenant: event.tenant_id ?? null, provider: event.provider.toLowerCase(), error_class: errorClass });
      }
      const text = `${newestTurnText(event).slice(0, PROFILE_CHARS)}\n${event.response === undefined ? "" : contentText(event.response).slice(0, PROFILE_CHARS)}`;
      out.push({
        ...base,
        kind: "llm_usage",
        model: event.model,
        cost_usd: event.cost_usd ?? null,
        input_tokens: event.input_tokens ?? null,
        output_tokens: event.output_tokens ?? null,
        grams: event.status === "ok" ? hashedTrigramCounts(text) : new Uint32Array(0),
      });
      return out;
    }
    default:
      return [];
  }
}
