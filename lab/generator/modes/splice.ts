// Editing a clean run into an injected one: insert events at a position (later events move later
// in time), or cut the run short.
import type { Run } from "../events.ts";
import type { LabEvent } from "../types.ts";
import { label } from "./types.ts";

export interface NewEvent {
  type: string;
  fields: Record<string, unknown>;
  /** Milliseconds after the previous event. */
  after: number;
}

/** Inserts labelled events before index `at` and returns them. */
export function splice(run: Run, at: number, items: readonly NewEvent[], mode: string): LabEvent[] {
  const events = run.execution.events;
  const prev = events[at - 1]!.timestamp;
  let t = prev;
  const out = items.map((it, k) => {
    t += it.after;
    return label(
      {
        id: `${run.id}.x${String(k + 1).padStart(2, "0")}`,
        type: it.type,
        execution_id: run.id,
        timestamp: t,
        tenant_id: run.tenant,
        agent: run.agent,
        ...it.fields,
      },
      mode,
    );
  });
  const shift = t - prev + 1000;
  for (let j = at; j < events.length; j++) events[j]!.timestamp += shift;
  events.splice(at, 0, ...out);
  run.t = events.at(-1)!.timestamp;
  return out;
}

/** Drops every event from index `at` on (the run stops there). */
export function cut(run: Run, at: number): void {
  run.execution.events.length = at;
  run.t = run.execution.events.at(-1)!.timestamp;
}

export function indexOfType(run: Run, type: string, from = 0, pred: (e: LabEvent) => boolean = () => true): number {
  const events = run.execution.events;
  for (let i = from; i < events.length; i++) if (events[i]!.type === type && pred(events[i]!)) return i;
  return -1;
}
