// The load generator: one HTTP client for all three systems (keep-alive, 127.0.0.1 only), a
// closed loop for saturation, an open loop at a fixed offered rate, and a sequential runner.
// Every loop is bounded both in requests and in time.
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

const agent = new http.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 });
const REQUEST_TIMEOUT_MS = 30_000;

/** POST /v1/events with a prepared body. Resolves (never rejects) with status, accepted and timing. */
export function postEvents(port, key, body) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: "/v1/events",
        method: "POST",
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: { "content-type": "application/json", "content-length": body.length, authorization: `Bearer ${key}` },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          const t1 = performance.now();
          let parsed = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            // reported below as an error
          }
          const ok = (res.statusCode === 200 || res.statusCode === 207) && parsed && typeof parsed.accepted === "number";
          resolve({
            status: res.statusCode,
            ok,
            accepted: ok ? parsed.accepted : 0,
            duplicates: ok ? parsed.duplicates : 0,
            rejected: ok ? parsed.rejected.length : 0,
            directives: ok ? parsed.directives.length : 0,
            error: ok ? null : text.slice(0, 300),
            t0,
            t1,
          });
        });
        res.on("error", (error) => resolve({ status: 0, ok: false, accepted: 0, error: String(error), t0, t1: performance.now() }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timeout")));
    req.on("error", (error) => resolve({ status: 0, ok: false, accepted: 0, error: String(error), t0, t1: performance.now() }));
    req.end(body);
  });
}

function newTally() {
  return { requests: 0, ok: 0, accepted: 0, duplicates: 0, rejected: 0, directives: 0, errors: 0, errorSamples: [], statuses: {}, latencies: [] };
}

function count(tally, res, latency) {
  tally.requests++;
  tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
  if (res.ok) {
    tally.ok++;
    tally.accepted += res.accepted;
    tally.duplicates += res.duplicates;
    tally.rejected += res.rejected;
    tally.directives += res.directives;
  } else {
    tally.errors++;
    if (tally.errorSamples.length < 5) tally.errorSamples.push(`${res.status}: ${res.error}`);
  }
  tally.latencies.push(latency);
}

/**
 * Closed loop: each lane sends its next body as soon as its previous request is answered, until
 * `nextBody(lane)` returns null or `durationMs` has passed. One request in flight per lane, so a
 * lane can be one long execution (its batches in order) or a share of many short ones.
 */
export async function closedLoop({ port, key, lanes, nextBody, durationMs, onProgress }) {
  const tally = newTally();
  const start = performance.now();
  const end = start + durationMs;
  let last = start;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (performance.now() < end) {
        const body = nextBody(lane);
        if (!body) break;
        const res = await postEvents(port, key, body);
        count(tally, res, res.t1 - res.t0);
        last = Math.max(last, res.t1);
        onProgress?.(tally);
        if (!res.ok && tally.errors > 50 && tally.errors > tally.requests / 10) return;
      }
    }),
  );
  tally.wallMs = last - start;
  return tally;
}

/**
 * Open loop at a fixed offered rate: request i is due at start + i * intervalMs and is sent then,
 * whether or not earlier requests have been answered, except that requests of the same lane (one
 * long execution) go out in order, one at a time. Latency is measured from the due time, so a
 * system that falls behind shows it (no coordinated omission). Requests due in the first
 * `warmupMs` are sent but not recorded.
 */
export async function openLoop({ port, key, bodies, laneOf, intervalMs, warmupMs }) {
  const tally = newTally();
  const chains = new Map();
  const pending = [];
  const start = performance.now() + 20;
  let maxLagMs = 0;
  let lastDone = start;
  for (let i = 0; i < bodies.length; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    const lane = laneOf(i);
    const previous = chains.get(lane) ?? Promise.resolve();
    const done = previous.then(async () => {
      const res = await postEvents(port, key, bodies[i]);
      lastDone = Math.max(lastDone, res.t1);
      if (due >= start + warmupMs) count(tally, res, res.t1 - due);
    });
    chains.set(lane, done);
    pending.push(done);
  }
  await Promise.all(pending);
  tally.offeredMs = bodies.length * intervalMs - warmupMs;
  // From the first measured due time to the last answer: longer than offeredMs when the system
  // fell behind, so accepted / wallMs is the rate it actually sustained.
  tally.wallMs = Math.max(tally.offeredMs, lastDone - (start + warmupMs));
  tally.maxSendLagMs = maxLagMs;
  return tally;
}

/** Sends bodies one at a time, awaiting `before(i)` and `after(i, res)` around each (probes). */
export async function sequential({ port, key, bodies, before, after, deadlineMs }) {
  const tally = newTally();
  const start = performance.now();
  for (let i = 0; i < bodies.length; i++) {
    if (performance.now() - start > deadlineMs) break;
    await before?.(i);
    const res = await postEvents(port, key, bodies[i]);
    await after?.(i, res);
    count(tally, res, res.t1 - res.t0);
  }
  tally.wallMs = performance.now() - start;
  return tally;
}

export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values) {
  return percentile(values, 50);
}

export function destroyAgent() {
  agent.destroy();
}
