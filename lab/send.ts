// Sending a generated timeline the way a fleet of agents streams it. Records when each event was sent.
import type { Api } from "./client.ts";
import { pool } from "./client.ts";
import type { LabEvent, Unit } from "./generator/types.ts";

/** Each agent flushes at least this often (event time). */
export const FLUSH_MS = 60_000;

/**
 * Events go out as a live fleet sends them: each agent flushes its own events at least every
 * minute (a request holds one execution's events of up to 60 s of event time), and requests leave
 * in event-time order, `concurrency` at a time. Whole runs per request would replay a long run's
 * late events before a shorter run's earlier ones, which no live stream does and which window
 * detectors (rising edges over the last hour) are sensitive to.
 */
export function requestsOf(units: readonly Unit[]): { last: number; events: LabEvent[] }[] {
  const out: { last: number; events: LabEvent[] }[] = [];
  for (const u of units) {
    for (const ex of u.executions) {
      let part: LabEvent[] = [];
      for (const e of ex.events) {
        if (part.length && (e.timestamp - part[0]!.timestamp > FLUSH_MS || part.length >= 100)) {
          out.push({ last: part.at(-1)!.timestamp, events: part });
          part = [];
        }
        part.push(e);
      }
      if (part.length) out.push({ last: part.at(-1)!.timestamp, events: part });
    }
  }
  return out.sort((a, b) => a.last - b.last || a.events[0]!.id.localeCompare(b.events[0]!.id));
}

export async function sendTimeline(
  api: Api,
  ingestKey: string,
  units: readonly Unit[],
  concurrency: number,
  onProgress: (sentEvents: number) => void = () => {},
): Promise<Map<string, number>> {
  /** Event id -> when the request carrying it was sent. */
  const sentAt = new Map<string, number>();
  let sent = 0;
  await pool(requestsOf(units), concurrency, async (r) => {
    const t = Date.now();
    await api.sendEvents(ingestKey, r.events);
    for (const e of r.events) sentAt.set(e.id, t);
    sent += r.events.length;
    onProgress(sent);
  });
  return sentAt;
}
