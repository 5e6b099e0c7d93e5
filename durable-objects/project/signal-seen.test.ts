// The project object applies each signal once: `signal_seen` remembers (event id, kind) for the
// window retention, so a replayed request, or the same signal twice in one request, counts once,
// while another kind of signal for the same event still counts; the hourly purge drops rows past
// retention and nothing younger.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { DEFAULT_DETECTOR_SETTINGS } from "../../workers/core/detector-settings.ts";
import type { ProjectSignal } from "./signals.ts";
import { WINDOW_RETENTION_MS } from "./storage.ts";

const stubFor = (projectId: string) => env.PROJECT.get(env.PROJECT.idFromName(projectId));

function handoff(eventId: string, ts: number): ProjectSignal {
  return { kind: "handoff", event_id: eventId, execution_id: "run-1", ts, from_agent: "planner", to_agent: `worker-${eventId}`, child_execution_id: null };
}

function finished(eventId: string, ts: number): ProjectSignal {
  return { kind: "execution_finished", event_id: eventId, execution_id: "run-1", ts, status: "completed" };
}

async function seenRows(projectId: string) {
  return runInDurableObject(stubFor(projectId), (_o, state) =>
    state.storage.sql.exec<{ event_id: string; kind: string }>("SELECT event_id, kind FROM signal_seen ORDER BY event_id, kind").toArray(),
  );
}

async function handoffCount(projectId: string) {
  return runInDurableObject(stubFor(projectId), (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM topology_handoffs").one().n);
}

describe("signal_seen", () => {
  it("applies a signal once, however often it is sent, and each kind of an event on its own", async ({ expect }) => {
    const projectId = `seen-${crypto.randomUUID()}`;
    const stub = stubFor(projectId);
    const now = Date.now();
    const batch = [handoff("e1", now), handoff("e2", now), handoff("e1", now)];
    await stub.observe({ projectId, settings: DEFAULT_DETECTOR_SETTINGS, signals: batch });
    expect(await handoffCount(projectId)).toBe(2);
    await stub.observe({ projectId, settings: DEFAULT_DETECTOR_SETTINGS, signals: batch });
    await stub.observe({ projectId, settings: DEFAULT_DETECTOR_SETTINGS, signals: [handoff("e2", now), handoff("e3", now), finished("e1", now)] });
    expect(await handoffCount(projectId)).toBe(3);
    expect(await seenRows(projectId)).toEqual([
      { event_id: "e1", kind: "execution_finished" },
      { event_id: "e1", kind: "handoff" },
      { event_id: "e2", kind: "handoff" },
      { event_id: "e3", kind: "handoff" },
    ]);
  });

  it("keeps ids that look like JSON or carry quotes and unicode as they are", async ({ expect }) => {
    const projectId = `seen-${crypto.randomUUID()}`;
    const odd = ['{"a":1}', "it's \"quoted\"", "ключ-😀", "[1,2]", "null"];
    const signals = odd.map((id) => handoff(id, Date.now()));
    await stubFor(projectId).observe({ projectId, settings: DEFAULT_DETECTOR_SETTINGS, signals });
    await stubFor(projectId).observe({ projectId, settings: DEFAULT_DETECTOR_SETTINGS, signals });
    expect((await seenRows(projectId)).map((r) => r.event_id).sort()).toEqual([...odd].sort());
    expect(await handoffCount(projectId)).toBe(odd.length);
  });

  it("purges rows past the window retention and keeps the younger ones", async ({ expect }) => {
    const projectId = `seen-${crypto.randomUUID()}`;
    const stub = stubFor(projectId);
    const now = Date.now();
    const old = now - WINDOW_RETENTION_MS - 60_000;
    const young = now - WINDOW_RETENTION_MS + 3_600_000;
    await stub.observe({ projectId, settings: DEFAULT_DETECTOR_SETTINGS, signals: [handoff("old", old), handoff("young", young), handoff("fresh", now)] });
    await runInDurableObject(stub, async (_o, state) => {
      state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE kind = 'purge'");
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await seenRows(projectId)).map((r) => r.event_id)).toEqual(["fresh", "young"]);
    // Purged: a replay of the old signal is applied again (it is outside every window by then).
    await stub.observe({ projectId, settings: DEFAULT_DETECTOR_SETTINGS, signals: [handoff("old", old), handoff("young", young)] });
    expect((await seenRows(projectId)).map((r) => r.event_id)).toEqual(["fresh", "old", "young"]);
  });
});
