// The Worker isolate seen through wrangler dev's inspector (Chrome DevTools protocol): its JS heap
// after a forced GC, and CPU profiles. Locally the Worker and all its Durable Objects share one
// isolate, so the heap is what the objects retain, without the garbage and native memory in RSS.
/* global WebSocket */
import { setTimeout as sleep } from "node:timers/promises";
import { httpGet } from "./servers.mjs";

function withTimeout(promise, ms, what = "inspector") {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timeout`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/** Opens a DevTools session on the Worker's isolate: { call(method, params), pending(), close() }. */
export async function connectInspector(inspectorPort, timeoutMs = 10_000) {
  const list = JSON.parse((await httpGet(inspectorPort, "/json")).text || "[]");
  const target = list.find((t) => t.webSocketDebuggerUrl);
  if (!target) throw new Error(`no inspector target on port ${inspectorPort}`);
  // wrangler's inspector proxy insists on an Origin header.
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://127.0.0.1" } });
  await withTimeout(
    new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error("inspector connection failed"));
    }),
    timeoutMs,
  );
  let next = 0;
  const waiting = new Map();
  ws.onmessage = (m) => {
    const data = JSON.parse(typeof m.data === "string" ? m.data : Buffer.from(m.data).toString("utf8"));
    const done = data.id !== undefined ? waiting.get(data.id) : undefined;
    if (done) {
      waiting.delete(data.id);
      done(data);
    }
  };
  return {
    call(method, params = {}, ms = timeoutMs) {
      const id = ++next;
      const reply = new Promise((resolve) => waiting.set(id, resolve));
      ws.send(JSON.stringify({ id, method, params }));
      return withTimeout(reply, ms, method).then((r) => {
        if (r.error) throw new Error(`${method}: ${r.error.message}`);
        return r.result;
      });
    },
    pending: () => waiting.size,
    close() {
      try {
        ws.close();
      } catch {
        // already closed
      }
    },
  };
}

/**
 * Forces a full GC and reads the isolate's used heap, in bytes (null if that fails). workerd runs
 * the GC task only when the isolate is entered, so GET /health on `appPort` nudges it.
 */
export async function heapAfterGc(inspectorPort, appPort, timeoutMs = 10_000) {
  let session;
  try {
    session = await connectInspector(inspectorPort, timeoutMs);
    await session.call("HeapProfiler.enable");
    const gc = session.call("HeapProfiler.collectGarbage");
    for (let i = 0; i < 20 && session.pending() > 0; i++) {
      await sleep(100);
      if (session.pending() > 0) await httpGet(appPort, "/health");
    }
    await gc;
    const usage = await session.call("Runtime.getHeapUsage");
    await session.call("HeapProfiler.disable").catch(() => {});
    return usage.usedSize ?? null;
  } catch {
    return null;
  } finally {
    session?.close();
  }
}

/** Starts the V8 sampling profiler on the isolate; resolves with a function that stops it and returns the profile. */
export async function startProfile(inspectorPort, intervalUs = 500) {
  const session = await connectInspector(inspectorPort);
  await session.call("Profiler.enable");
  await session.call("Profiler.setSamplingInterval", { interval: intervalUs });
  await session.call("Profiler.start");
  return async () => {
    try {
      const { profile } = await session.call("Profiler.stop", {}, 60_000);
      await session.call("Profiler.disable").catch(() => {});
      return profile;
    } finally {
      session.close();
    }
  };
}
