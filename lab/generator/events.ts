// Building blocks: a run that stamps events with ids and advancing timestamps, and the conversion
// of a tau-bench assistant turn into the llm_call an instrumented agent would send.
import type { TauMessage, TauTrajectory } from "./corpora.ts";
import type { Rng } from "./prng.ts";
import type { LabEvent, LabExecution } from "./types.ts";

/** USD per million tokens; the same figures as the public price lists (and Vigil's table). */
export const PRICES: Record<string, { input: number; output: number }> = {
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5 },
};

export const PROVIDER_OF: Record<string, string> = {
  "gpt-4o": "openai",
  "gpt-4o-mini": "openai",
  "claude-haiku-4-5": "anthropic",
  "gemini-2.5-flash": "google",
};

export function costUsd(model: string, input: number, output: number): number {
  const p = PRICES[model]!;
  return Math.round(((input * p.input + output * p.output) / 1e6) * 1e7) / 1e7;
}

export const tokensOf = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

export class Run {
  readonly execution: LabExecution;
  t: number;
  #n = 0;

  readonly id: string;
  readonly tenant: string;
  readonly agent: string;
  readonly rng: Rng;

  constructor(id: string, tenant: string, start: number, agent: string, rng: Rng) {
    this.id = id;
    this.tenant = tenant;
    this.agent = agent;
    this.rng = rng;
    this.execution = { id, tenant, events: [] };
    this.t = start;
  }

  /** Appends an event `afterMs` after the previous one and returns it. */
  add(type: string, fields: Record<string, unknown>, afterMs = 0): LabEvent {
    this.t += afterMs;
    this.#n++;
    const event: LabEvent = {
      id: `${this.id}.${String(this.#n).padStart(3, "0")}`,
      type,
      execution_id: this.id,
      timestamp: this.t,
      tenant_id: this.tenant,
      agent: this.agent,
      ...fields,
    };
    this.execution.events.push(event);
    return event;
  }

  /** A think-and-respond pause of an LLM turn. */
  llmPause(): number {
    return this.rng.int(1500, 6000);
  }

  toolPause(): number {
    return this.rng.int(200, 1500);
  }
}

/** A short form of the tau-bench airline policy: the full one is resent by every call and is 7 KB. */
export const AIRLINE_SYSTEM =
  "# Airline Agent Policy\nAs an airline agent, you can help users book, modify, or cancel flight reservations. Before taking any action that updates the booking database, list the action details and obtain explicit user confirmation (yes) to proceed. Deny requests that are against this policy. Transfer to a human agent only if the request cannot be handled within the scope of your actions.";

/** Messages kept per call: the system prompt plus the newest turns (enough for every detector's view). */
const HISTORY = 6;
const MAX_CONTENT = 2000;

function asMessage(m: TauMessage): Record<string, unknown> {
  return {
    role: m.role,
    // Tool results stay whole: a cut JSON document no longer parses, and the loop detectors compare
    // JSON results by their values.
    content: m.role === "tool" ? (m.content ?? "") : (m.content ?? "").slice(0, MAX_CONTENT),
    ...(m.tool_calls ? { tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: "function", function: c.function })) } : {}),
    ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}),
  };
}

export function messagesBefore(traj: readonly TauMessage[], i: number, system = AIRLINE_SYSTEM): Record<string, unknown>[] {
  const history = traj.slice(1, i);
  return [{ role: "system", content: system }, ...history.slice(-HISTORY).map(asMessage)];
}

export function responseOf(m: TauMessage): unknown {
  return m.content ?? { tool_calls: (m.tool_calls ?? []).map((c) => ({ name: c.function.name, arguments: c.function.arguments })) };
}

/** MCP-style tool result: text content, plus structured content for tools with a typed schema. */
export function toolResult(text: string, structured?: unknown): Record<string, unknown> {
  return { content: [{ type: "text", text }], ...(structured === undefined ? {} : { structuredContent: structured }), isError: false };
}

export const STRUCTURED_TOOLS = new Set(["get_reservation_details"]);

export const WRITE_TOOLS = new Set(["book_reservation", "cancel_reservation", "update_reservation_flights", "update_reservation_baggages", "update_reservation_passengers"]);

export function parseArgs(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * The result text of each tool call, keyed by "<assistant turn index>:<call position>": the tool
 * messages that follow an assistant turn answer its calls in order (call ids repeat in a few
 * trajectories, so they cannot be the key).
 */
export function toolResultsOf(t: TauTrajectory): Map<string, string> {
  const out = new Map<string, string>();
  t.traj.forEach((m, i) => {
    (m.tool_calls ?? []).forEach((c, k) => {
      const reply = t.traj[i + 1 + k];
      out.set(`${i}:${k}`, reply && reply.role === "tool" && (reply.name === undefined || reply.name === c.function.name) ? (reply.content ?? "") : "");
    });
  });
  return out;
}

/** Text the loop detectors compare: the turns after the last assistant turn, system excluded. */
export function newestTurnText(messages: readonly Record<string, unknown>[]): string {
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "assistant") {
    last = i;
    break;
  }
  return messages
    .slice(last + 1)
    .filter((m) => m.role !== "system")
    .map((m) => String(m.content ?? ""))
    .join("\n");
}
