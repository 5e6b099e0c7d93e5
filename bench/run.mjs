// `npm run bench`: measures Vigil beside its two floors, all three started here, on this machine,
// in this run (method: bench/README.md). Prints the table, the ratios and the targets, and writes
// bench/results/latest.{md,json}. `--quick` for a short run, `--help` for the options.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { closedLoop, destroyAgent, median, openLoop, percentile, sequential } from "./lib/load.mjs";
import { heapAfterGc, startProfile } from "./lib/inspector.mjs";
import { loadSourceMap, summarizeProfile } from "./lib/profile.mjs";
import { descendants, machineBusyNs, pidsTicksNs, schedstatAvailable } from "./lib/proc.mjs";
import { renderMarkdown, renderText } from "./lib/report.mjs";
import {
  applyMigrations,
  discover,
  freePort,
  gitInfo,
  killAllSync,
  prebuildWorker,
  runtimeRss,
  snapshot,
  snapshotRef,
  snapshotRepo,
  startSystem,
  stopAll,
  workerdCpuNs,
} from "./lib/servers.mjs";
import { BATCH, LONG_LENGTH, SHORT_LENGTH, batchesPerLongExecution, longBatch, shortBatch } from "./lib/workload.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// `npm run bench` runs on the pinned Node 22 (node_modules/.bin is first on PATH). Started with an
// older node directly, hand over to that one: the inspector client needs Node 22's WebSocket.
if (Number(process.versions.node.split(".")[0]) < 22 && existsSync(join(REPO, "node_modules", ".bin", "node"))) {
  const child = spawnSync(join(REPO, "node_modules", ".bin", "node"), [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}
const RESULTS = join(REPO, "bench", "results");
const ADMIN_TOKEN = "dev-admin-token";
const FIXED_RATE = 1_000; // events per second, offered
const INTERVAL_MS = (BATCH / FIXED_RATE) * 1_000; // one request of 100 events every 100 ms

const USAGE = `usage: npm run bench [-- options]
  --quick            a short run (about 3-4 minutes): shorter phases, one round, one flat-cost run
  --rounds=N         rounds of each saturation phase, systems in alternating order (default 2, quick 1)
  --only=a,b         run only these systems: parse-only, do-store, vigil (ratios need all three)
  --concurrency=N    requests in flight for short-run saturation (default 8)
  --long-lanes=N     long executions run at once for long-run saturation (default 8, quick 4)
  --ref=REF          bench the committed tree of a git ref (e.g. HEAD) instead of the working tree
  --profile          afterwards, CPU-profile the DO floor's and Vigil's isolates under short and long
                     saturation and print where the time goes (bench/results/*.cpuprofile)
  --keep-state       keep the temporary --persist-to directories and the Vigil snapshot
  --local-observability
                     keep wrangler dev's local trace collector on in every system (off by default:
                     it records each invocation's spans on the runtime's thread; see bench/README.md)
  --help`;

function parseArgs(argv) {
  const opts = { quick: false, keepState: false };
  for (const arg of argv) {
    const [k, v] = arg.replace(/^--/, "").split("=");
    if (k === "quick") opts.quick = true;
    else if (k === "keep-state") opts.keepState = true;
    else if (k === "local-observability") process.env.X_LOCAL_OBSERVABILITY = "true";
    else if (k === "profile") opts.profile = true;
    else if (k === "ref") opts.ref = v;
    else if (k === "rounds") opts.rounds = Number(v);
    else if (k === "only") opts.only = v.split(",");
    else if (k === "concurrency") opts.concurrency = Number(v);
    else if (k === "long-lanes") opts.longLanes = Number(v);
    else if (k === "help" || k === "h") {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown option ${arg}\n${USAGE}`);
      process.exit(2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const CONFIG = opts.quick
  ? {
      rounds: 1,
      short: { concurrency: 8, warmupMs: 1_000, satMs: 5_000, fixedWarmupMs: 1_000, fixedMs: 8_000 },
      long: { lanes: 4, satCapMs: 60_000, fixedExecutions: 1, fixedBatches: 90, fixedWarmupMs: 1_000 },
      flatRuns: 1,
    }
  : {
      rounds: 2,
      short: { concurrency: 8, warmupMs: 2_000, satMs: 15_000, fixedWarmupMs: 2_000, fixedMs: 20_000 },
      long: { lanes: 8, satCapMs: 120_000, fixedExecutions: 1, fixedBatches: batchesPerLongExecution(), fixedWarmupMs: 1_000 },
      flatRuns: 3,
    };
if (opts.rounds) CONFIG.rounds = opts.rounds;
if (opts.concurrency) CONFIG.short.concurrency = opts.concurrency;
if (opts.longLanes) CONFIG.long.lanes = opts.longLanes;

const SYSTEMS = [
  { name: "parse-only", config: "bench/floors/parse-only/wrangler.toml" },
  { name: "do-store", config: "bench/floors/do-store/wrangler.toml" },
  { name: "vigil", config: null, extraArgs: ["--var", `ADMIN_TOKEN:${ADMIN_TOKEN}`] },
].filter((s) => !opts.only || opts.only.includes(s.name));

const log = (...parts) => console.error(`[bench ${((performance.now() - T0) / 1000).toFixed(0).padStart(4)} s]`, ...parts);
const T0 = performance.now();
const warnings = [];

// ---------------------------------------------------------------------------------------------
// Process lifetime: every wrangler we start is stopped, on success, error and Ctrl-C.

let stopping = false;
let workDir = null;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await Promise.race([stopAll(), sleep(8_000)]);
  killAllSync();
  if (workDir && !opts.keepState) rmSync(workDir, { recursive: true, force: true });
  destroyAgent();
  process.exit(code);
}
process.on("SIGINT", () => {
  log("interrupted: stopping the servers");
  void shutdown(130);
});
process.on("SIGTERM", () => void shutdown(143));
process.on("exit", killAllSync);

// ---------------------------------------------------------------------------------------------
// Measurement helpers.

/**
 * Waits for a system's background work (Vigil's outbox alarms fire 2 s after a batch) to finish:
 * at least `minMs`, then until workerd uses under 2 % of a core over 250 ms, at most `maxMs`.
 */
async function settle(system, minMs = 3_000, maxMs = 15_000) {
  const start = performance.now();
  let last = workerdCpuNs(system);
  for (;;) {
    await sleep(250);
    const now = workerdCpuNs(system);
    const busy = now - last > 5e6;
    last = now;
    const elapsed = performance.now() - start;
    if ((elapsed >= minMs && !busy) || elapsed >= maxMs) return { ms: elapsed, snap: snapshot(system) };
  }
}

// ---- Other people's load. This machine is shared: CPU used by processes that are not ours (the
// wranglers we started, their workerd and esbuild, and this process) is measured for every phase
// and, before each one, the bench waits (bounded) for it to calm down.

let allSystems = [];
function ourPids() {
  const pids = [process.pid];
  for (const s of allSystems) pids.push(s.pid, ...descendants(s.pid).map((p) => p.pid));
  return pids;
}

/** A probe of foreign CPU: call it again to get the average foreign load, in cores, since. */
function foreignProbe() {
  const pids = ourPids();
  const t0 = performance.now();
  const busy0 = machineBusyNs();
  const ours0 = pidsTicksNs(pids);
  return () => {
    const wall = (performance.now() - t0) * 1e6;
    const foreign = machineBusyNs() - busy0 - (pidsTicksNs(pids) - ours0);
    return wall > 0 ? Math.max(0, foreign / wall) : 0;
  };
}

const QUIET_CORES = 0.25;
const foreignLog = [];

/** Seconds the whole run may spend waiting for other people's load to calm down. */
let quietBudgetMs = opts.quick ? 20_000 : 45_000;

/**
 * Waits (at most `maxMs`, and within the run's budget) until other processes use under QUIET_CORES
 * over half a second. Load from processes this PID namespace cannot see counts too (/proc/stat).
 */
async function waitForQuiet(label, maxMs = opts.quick ? 5_000 : 10_000) {
  if (quietBudgetMs <= 0) return;
  const start = performance.now();
  for (;;) {
    const probe = foreignProbe();
    await sleep(500);
    const load = probe();
    if (load < QUIET_CORES) break;
    if (performance.now() - start > Math.min(maxMs, quietBudgetMs)) {
      log(`${label}: other processes use ${load.toFixed(2)} cores; starting anyway${quietBudgetMs <= performance.now() - start ? " (no more waiting in this run)" : ""}`);
      break;
    }
  }
  quietBudgetMs = Math.max(0, quietBudgetMs - (performance.now() - start - 500));
}

/** Runs a measured phase between a quiet-wait and a foreign-load probe; adds `foreignCores`. */
async function measured(label, fn) {
  await waitForQuiet(label);
  const probe = foreignProbe();
  const result = await fn();
  result.foreignCores = probe();
  foreignLog.push({ phase: label, cores: Math.round(result.foreignCores * 100) / 100 });
  return result;
}

function refresh(system) {
  const before = system.workerd.map((p) => p.pid).join(",");
  discover(system);
  const after = system.workerd.map((p) => p.pid).join(",");
  if (before && before !== after) warnings.push(`${system.name}: its workerd processes changed (${before} -> ${after}): a restart or reload mid-run`);
  if (system.exited) throw new Error(`${system.name}: wrangler dev exited (${JSON.stringify(system.exited)}); see ${system.logPath}`);
}

const runtimeNs = (snap) => snap.workerd.filter((p) => p.role === "runtime").reduce((a, p) => a + (p.ns ?? 0), 0);

function cpuFigures(before, after, events, label = null) {
  const per = (a, b) => (events > 0 ? (b - a) / 1e3 / events : null);
  // A workerd that restarted mid-phase (new pid) makes the delta meaningless: report none.
  const same = before.workerd.map((p) => p.pid).join(",") === after.workerd.map((p) => p.pid).join(",") && after.alive;
  if (!same && label) warnings.push(`${label}: CPU figure discarded, the workerd processes changed during the phase`);
  return {
    cpuUsPerEvent: same ? per(before.workerdNs, after.workerdNs) : null,
    cpuTicksUsPerEvent: same ? per(before.workerdTicksNs, after.workerdTicksNs) : null,
    runtimeCpuUsPerEvent: same ? per(runtimeNs(before), runtimeNs(after)) : null,
    wranglerNodeUsPerEvent: per(before.nodeNs, after.nodeNs),
    byProcess: after.workerd.map((p) => ({
      role: p.role,
      pid: p.pid,
      usPerEvent: per(before.workerd.find((q) => q.pid === p.pid)?.ns ?? p.ns, p.ns),
      threads: p.threads,
    })),
  };
}

function latencyFigures(tally) {
  return {
    requests: tally.requests,
    accepted: tally.accepted,
    errors: tally.errors,
    errorSamples: tally.errorSamples,
    statuses: tally.statuses,
    rejected: tally.rejected,
    duplicates: tally.duplicates,
    directives: tally.directives,
    p50: percentile(tally.latencies, 50),
    p90: percentile(tally.latencies, 90),
    p99: percentile(tally.latencies, 99),
    max: percentile(tally.latencies, 100),
  };
}

const clientUs = (usage) => usage.user + usage.system;
const f0 = (v) => (typeof v === "number" ? v.toFixed(0) : "n/a");
const f1 = (v) => (typeof v === "number" ? v.toFixed(1) : "n/a");

// ---------------------------------------------------------------------------------------------
// Phases.

async function shortSaturated(system, key, round) {
  refresh(system);
  const { concurrency, warmupMs, satMs } = CONFIG.short;
  let w = 0;
  await closedLoop({ port: system.port, key, lanes: concurrency, durationMs: warmupMs, nextBody: () => shortBatch(`s${round}w`, w++) });
  const before = snapshot(system);
  const client0 = process.cpuUsage();
  let n = 0;
  const tally = await closedLoop({ port: system.port, key, lanes: concurrency, durationMs: satMs, nextBody: () => shortBatch(`s${round}`, n++) });
  const loaded = snapshot(system);
  const client = clientUs(process.cpuUsage(client0));
  const settled = await settle(system);
  return {
    round,
    wallMs: tally.wallMs,
    eventsPerSec: tally.accepted / (tally.wallMs / 1_000),
    ...cpuFigures(before, settled.snap, tally.accepted, `${system.name}, short saturation round ${round + 1}`),
    cpuDuringLoadUsPerEvent: cpuFigures(before, loaded, tally.accepted).cpuUsPerEvent,
    settleMs: settled.ms,
    clientUsPerEvent: client / Math.max(1, tally.accepted),
    ...latencyFigures(tally),
    latencies: tally.latencies,
  };
}

async function longSaturated(system, key, round) {
  refresh(system);
  const { lanes, satCapMs } = CONFIG.long;
  const perExecution = batchesPerLongExecution();
  const next = new Array(lanes).fill(0);
  const planned = lanes * LONG_LENGTH;
  const samples = [{ accepted: 0, rss: runtimeRss(system) }];
  let accepted = 0;
  const sampler = setInterval(() => samples.push({ accepted, rss: runtimeRss(system) }), 200);
  const before = snapshot(system);
  const client0 = process.cpuUsage();
  let tally;
  try {
    tally = await closedLoop({
      port: system.port,
      key,
      lanes,
      durationMs: satCapMs,
      nextBody: (lane) => (next[lane] < perExecution ? longBatch(`l${round}-${lane}`, next[lane]++) : null),
      onProgress: (t) => (accepted = t.accepted),
    });
  } finally {
    clearInterval(sampler);
  }
  samples.push({ accepted: tally.accepted, rss: runtimeRss(system) });
  const loaded = snapshot(system);
  const client = clientUs(process.cpuUsage(client0));
  const settled = await settle(system);
  if (tally.accepted < planned) warnings.push(`${system.name}: long saturation stopped at ${tally.accepted} of ${planned} events (time cap ${satCapMs / 1000} s)`);
  const at = (fraction) => samples.reduce((best, s) => (Math.abs(s.accepted - fraction * tally.accepted) < Math.abs(best.accepted - fraction * tally.accepted) ? s : best));
  const [s0, s1, s2] = [at(0), at(0.5), at(1)];
  const per1k = (a, b) => (b.accepted > a.accepted ? ((b.rss - a.rss) / (b.accepted - a.accepted)) * 1_000 : null);
  return {
    round,
    wallMs: tally.wallMs,
    executions: lanes,
    eventsPerExecution: LONG_LENGTH,
    eventsPerSec: tally.accepted / (tally.wallMs / 1_000),
    ...cpuFigures(before, settled.snap, tally.accepted, `${system.name}, long saturation round ${round + 1}`),
    cpuDuringLoadUsPerEvent: cpuFigures(before, loaded, tally.accepted).cpuUsPerEvent,
    settleMs: settled.ms,
    clientUsPerEvent: client / Math.max(1, tally.accepted),
    ...latencyFigures(tally),
    latencies: tally.latencies,
    memory: { start: s0.rss, mid: s1.rss, end: s2.rss, per1kFirstHalf: per1k(s0, s1), per1kSecondHalf: per1k(s1, s2), samples: samples.filter((_, i) => i % 5 === 0) },
  };
}

async function fixedRate(system, key, workload) {
  refresh(system);
  let bodies;
  let laneOf;
  let warmupMs;
  if (workload === "short") {
    const { fixedWarmupMs, fixedMs } = CONFIG.short;
    warmupMs = fixedWarmupMs;
    bodies = Array.from({ length: Math.round((fixedWarmupMs + fixedMs) / INTERVAL_MS) }, (_, i) => shortBatch("sf", i));
    laneOf = (i) => i; // every request carries its own executions: no ordering constraint
  } else {
    const { fixedExecutions: e, fixedBatches, fixedWarmupMs } = CONFIG.long;
    warmupMs = fixedWarmupMs;
    bodies = Array.from({ length: fixedBatches }, (_, i) => longBatch(`lf-${i % e}`, Math.floor(i / e)));
    laneOf = (i) => i % e; // each long execution's batches go out in order, one at a time
  }
  const before = snapshot(system);
  const tally = await openLoop({ port: system.port, key, bodies, laneOf, intervalMs: INTERVAL_MS, warmupMs });
  const settled = await settle(system);
  const measured = bodies.length - Math.round(warmupMs / INTERVAL_MS);
  return {
    offeredEventsPerSec: FIXED_RATE,
    durationMs: tally.offeredMs,
    completedInMs: tally.wallMs,
    achievedEventsPerSec: tally.accepted / (tally.wallMs / 1_000),
    maxSendLagMs: tally.maxSendLagMs,
    measuredRequests: measured,
    ...latencyFigures(tally),
    cpuUsPerEvent: cpuFigures(before, settled.snap, bodies.length * BATCH, `${system.name}, ${workload} at ${FIXED_RATE} events/s`).cpuUsPerEvent,
  };
}

const heapDelta = (a, b) => (typeof a === "number" && typeof b === "number" ? (b - a) / (LONG_LENGTH / 2 / 1_000) : null);

/** One 20,000-event execution, batches one at a time, CPU read around every batch. */
async function flatRun(system, key, run) {
  refresh(system);
  await settle(system, 0, 10_000);
  const n = batchesPerLongExecution();
  const bodies = Array.from({ length: n }, (_, i) => longBatch(`flat-${run}`, i));
  const cpu = new Array(n + 1);
  const rss = [];
  const heap = {};
  const latencies = [];
  const tally = await sequential({
    port: system.port,
    key,
    bodies,
    deadlineMs: 120_000,
    before: async (i) => {
      // The heap is read (with a forced GC) outside the CPU windows compared below.
      if (i === 0 || i === n / 2) heap[i] = await heapAfterGc(system.inspectorPort, system.port);
      cpu[i] = workerdCpuNs(system);
      if (i % 10 === 0) rss.push({ batch: i, rss: runtimeRss(system) });
    },
    after: (_, res) => latencies.push(res.t1 - res.t0),
  });
  await sleep(200); // the last batch's trailing work (ingest health, waitUntil)
  cpu[n] = workerdCpuNs(system);
  rss.push({ batch: n, rss: runtimeRss(system) });
  heap[n] = await heapAfterGc(system.inspectorPort, system.port);
  if (Object.values(heap).some((h) => h === null)) warnings.push(`${system.name}: could not read the isolate heap through the inspector in flat-cost run ${run}`);
  if (tally.requests < n || tally.errors > 0) warnings.push(`${system.name}: flat-cost run ${run} sent ${tally.requests}/${n} batches with ${tally.errors} errors`);
  const window = (from, to) => (cpu[to] - cpu[from]) / 1e3 / ((to - from) * BATCH);
  const rssAt = (batch) => rss.find((r) => r.batch === batch)?.rss ?? null;
  const first = window(0, 10);
  const warm = window(10, 20);
  const last = window(n - 10, n);
  return {
    run,
    firstUsPerEvent: first,
    warmUsPerEvent: warm,
    lastUsPerEvent: last,
    ratio: last / first,
    ratioWarm: last / warm,
    perBatchUs: cpu.slice(1).map((c, i) => Math.round((c - cpu[i]) / 1e3)),
    latencyFirstP50: median(latencies.slice(0, 10)),
    latencyLastP50: median(latencies.slice(-10)),
    rss,
    rssGrowthPer1kFirstHalf: (rssAt(n / 2) - rssAt(0)) / (LONG_LENGTH / 2 / 1_000),
    rssGrowthPer1kSecondHalf: (rssAt(n) - rssAt(n / 2)) / (LONG_LENGTH / 2 / 1_000),
    rssEnd: rssAt(n),
    heap,
    heapGrowthPer1kFirstHalf: heapDelta(heap[0], heap[n / 2]),
    heapGrowthPer1kSecondHalf: heapDelta(heap[n / 2], heap[n]),
    heapEnd: heap[n],
    errors: tally.errors,
  };
}

/**
 * Not part of the measured figures: with --profile, the isolate of Vigil and of the DO floor is
 * CPU-profiled under short and long saturation (the sampling profiler costs some throughput), to
 * show where Vigil's time goes beside what the architecture itself costs.
 */
async function profileSystem(system, key) {
  const out = {};
  const seconds = opts.quick ? 5 : 10;
  const map = loadSourceMap(join(system.bundleDir, `${system.bundleEntry}.map`));
  for (const workload of ["short", "long"]) {
    refresh(system);
    await settle(system, 3_000, 15_000);
    const stop = await startProfile(system.inspectorPort);
    const before = snapshot(system);
    let n = 0;
    const next = new Array(8).fill(0);
    const tally = await closedLoop({
      port: system.port,
      key,
      lanes: 8,
      durationMs: seconds * 1_000,
      nextBody:
        workload === "short" ? () => shortBatch("prof", n++) : (lane) => (next[lane] < batchesPerLongExecution() ? longBatch(`prof-${lane}`, next[lane]++) : null),
    });
    const after = snapshot(system);
    const profile = await stop();
    const file = join(RESULTS, `${system.name}-${workload}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const runtimeCpuMs = runtimeNs(after) / 1e6 - runtimeNs(before) / 1e6;
    const summary = summarizeProfile(profile, map, system.bundleEntry);
    // Profile samples are wall time on the isolate's thread (it also waits for a core on this busy
    // machine); spreading the runtime process's measured CPU over the shares gives CPU per event.
    const cpuUs = (share) => (tally.accepted > 0 ? (share * runtimeCpuMs * 1e3) / tally.accepted : null);
    for (const list of [summary.areas, summary.files, summary.functions]) for (const row of list) row.cpuUsPerEvent = cpuUs(row.share);
    out[workload] = {
      file: relative(REPO, file),
      eventsPerSec: tally.accepted / (tally.wallMs / 1_000),
      events: tally.accepted,
      runtimeCpuMs: Math.round(runtimeCpuMs),
      runtimeCpuUsPerEvent: cpuUs(1),
      ...summary,
    };
    log(`profiled ${system.name}, ${workload} saturation: ${summary.samples} samples; top areas ${summary.areas.slice(0, 4).map((a) => `${a.name} ${(a.share * 100).toFixed(0)} %`).join(", ")}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Aggregation and targets.

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function combineRounds(rounds) {
  const latencies = rounds.flatMap((r) => r.latencies);
  const keepNumbers = ["eventsPerSec", "cpuUsPerEvent", "runtimeCpuUsPerEvent", "cpuTicksUsPerEvent", "cpuDuringLoadUsPerEvent", "wranglerNodeUsPerEvent", "clientUsPerEvent"];
  const out = Object.fromEntries(keepNumbers.map((k) => [k, mean(rounds.map((r) => r[k]).filter((v) => typeof v === "number"))]));
  out.p50 = percentile(latencies, 50);
  out.p99 = percentile(latencies, 99);
  out.errors = rounds.reduce((a, r) => a + r.errors, 0);
  out.requests = rounds.reduce((a, r) => a + r.requests, 0);
  out.rounds = rounds.map(({ latencies: _l, ...rest }) => rest);
  if (rounds[0].memory) {
    out.memory = {};
    for (const k of ["start", "mid", "end", "per1kFirstHalf", "per1kSecondHalf"]) out.memory[k] = median(rounds.map((r) => r.memory[k]).filter((v) => v !== null));
  }
  return out;
}

function combineFlat(runs) {
  const med = (k) => median(runs.map((r) => r[k]));
  const medOrNull = (k) => median(runs.map((r) => r[k]).filter((v) => typeof v === "number"));
  return {
    firstUsPerEvent: med("firstUsPerEvent"),
    warmUsPerEvent: med("warmUsPerEvent"),
    lastUsPerEvent: med("lastUsPerEvent"),
    ratio: med("ratio"),
    ratioWarm: med("ratioWarm"),
    rssGrowthPer1kFirstHalf: med("rssGrowthPer1kFirstHalf"),
    rssGrowthPer1kSecondHalf: med("rssGrowthPer1kSecondHalf"),
    rssEnd: med("rssEnd"),
    heapGrowthPer1kFirstHalf: medOrNull("heapGrowthPer1kFirstHalf"),
    heapGrowthPer1kSecondHalf: medOrNull("heapGrowthPer1kSecondHalf"),
    heapEnd: medOrNull("heapEnd"),
    runs,
  };
}

function computeRatios(workloads) {
  const ratios = {};
  for (const [workload, s] of Object.entries(workloads)) {
    const v = s.vigil;
    const d = s["do-store"];
    const p = s["parse-only"];
    const div = (a, b) => (typeof a === "number" && typeof b === "number" && b !== 0 ? a / b : null);
    ratios[workload] = {
      throughputVsDoStore: div(v?.saturated?.eventsPerSec, d?.saturated?.eventsPerSec),
      throughputVsParse: div(v?.saturated?.eventsPerSec, p?.saturated?.eventsPerSec),
      doStoreVsParse: div(d?.saturated?.eventsPerSec, p?.saturated?.eventsPerSec),
      cpuVsDoStore: div(v?.saturated?.cpuUsPerEvent, d?.saturated?.cpuUsPerEvent),
      cpuVsParse: div(v?.saturated?.cpuUsPerEvent, p?.saturated?.cpuUsPerEvent),
      fixedP99VsDoStore: div(v?.fixed?.p99, d?.fixed?.p99),
      satP99VsDoStore: div(v?.saturated?.p99, d?.saturated?.p99),
    };
  }
  return ratios;
}

/** The object's memory is "bounded" when, past the middle of a 20,000-event execution, the isolate's
 * heap (after a forced GC) grows by less than a tenth of the events' own JSON per 1,000 events:
 * history lives in SQLite, not in memory. */
const MEMORY_BOUND_FRACTION = 0.1;

function computeTargets(workloads, ratios, flat, bytesPer1k) {
  const pct = (v) => (v === null ? "n/a" : `${(v * 100).toFixed(0)} % of the DO floor`);
  const ms = (v) => (typeof v === "number" ? `${v.toFixed(1)} ms` : "n/a");
  const t = [];
  const check = (value, ok) => (value === null || value === undefined ? null : ok);
  for (const w of ["short", "long"]) {
    const r = ratios[w]?.throughputVsDoStore ?? null;
    t.push({ name: `${w} runs: saturated throughput vs DO-per-execution floor`, value: pct(r), threshold: ">= 50 %", pass: check(r, r >= 0.5) });
  }
  const longP99 = workloads.long?.vigil?.fixed?.p99 ?? null;
  const shortP99 = workloads.short?.vigil?.fixed?.p99 ?? null;
  const overload = (w) => {
    const sat = workloads[w]?.vigil?.saturated?.eventsPerSec;
    return typeof sat === "number" && sat < FIXED_RATE
      ? `; Vigil's saturated throughput (${Math.round(sat)} events/s) is below the offered ${FIXED_RATE}: it was overloaded and its queue grew for the whole phase`
      : "";
  };
  t.push({
    name: "long runs: Vigil p99 @1,000 events/s",
    value: ms(longP99),
    threshold: "< 50 ms",
    pass: check(longP99, longP99 < 50),
    note: `DO floor ${ms(workloads.long?.["do-store"]?.fixed?.p99)}, parse floor ${ms(workloads.long?.["parse-only"]?.fixed?.p99)}${overload("long")}`,
  });
  t.push({
    name: "short runs: Vigil p99 @1,000 events/s",
    value: ms(shortP99),
    threshold: "< 150 ms",
    pass: check(shortP99, shortP99 < 150),
    note: `DO floor ${ms(workloads.short?.["do-store"]?.fixed?.p99)}, parse floor ${ms(workloads.short?.["parse-only"]?.fixed?.p99)}${overload("short")}`,
  });
  const f = flat.vigil;
  t.push({
    name: "flat cost: Vigil CPU/event, last 1,000 vs first 1,000 events of a 20,000-event run",
    value: f ? `${f.ratio.toFixed(2)}x (${f.lastUsPerEvent.toFixed(0)} vs ${f.firstUsPerEvent.toFixed(0)} µs)` : "n/a",
    threshold: "<= 1.25x",
    pass: f ? f.ratio <= 1.25 : null,
    note: f ? `DO floor ${flat["do-store"]?.ratio?.toFixed(2) ?? "n/a"}x; the first 1,000 include creating the object` : undefined,
  });
  t.push({
    name: "flat cost (strict): Vigil CPU/event, last 1,000 vs events 1,001-2,000 (object already warm)",
    value: f ? `${f.ratioWarm.toFixed(2)}x (${f.lastUsPerEvent.toFixed(0)} vs ${f.warmUsPerEvent.toFixed(0)} µs)` : "n/a",
    threshold: "<= 1.25x",
    pass: f ? f.ratioWarm <= 1.25 : null,
    note: f ? `DO floor ${flat["do-store"]?.ratioWarm?.toFixed(2) ?? "n/a"}x` : undefined,
  });
  const growth = f?.heapGrowthPer1kSecondHalf ?? null;
  const limit = MEMORY_BOUND_FRACTION * bytesPer1k;
  const kib = (v) => (typeof v === "number" ? `${(v / 1024).toFixed(0)} KiB` : "n/a");
  t.push({
    name: "memory bounded: Worker isolate heap (after GC) growth per 1,000 events, events 10,001-20,000 of one execution",
    value: kib(growth),
    threshold: `< ${(limit / 1024).toFixed(0)} KiB (a tenth of the events' own JSON)`,
    pass: check(growth, growth < limit),
    note: f
      ? `first half ${kib(f.heapGrowthPer1kFirstHalf)}; DO floor second half ${kib(flat["do-store"]?.heapGrowthPer1kSecondHalf)}; runtime RSS second half ${kib(f.rssGrowthPer1kSecondHalf)} (DO floor ${kib(flat["do-store"]?.rssGrowthPer1kSecondHalf)})`
      : undefined,
  });
  return t;
}

// ---------------------------------------------------------------------------------------------
// Main.

async function createProject(port) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/admin/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench" }),
  });
  if (res.status !== 201) throw new Error(`creating the bench project answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function vigilGroups(port, readKey) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/groups?limit=100`, { headers: { authorization: `Bearer ${readKey}` } });
  if (res.status !== 200) return { error: `GET /v1/groups answered ${res.status}`, groups: [] };
  const body = await res.json();
  return {
    groups: body.groups.map((g) => ({ failure_class: g.failure_class, signature: g.signature, occurrences: g.occurrences, executions: g.executions, severity: g.severity })),
    more: body.next_cursor !== null && body.next_cursor !== undefined,
  };
}

async function main() {
  if (!schedstatAvailable()) throw new Error("/proc/<pid>/schedstat is not available: the bench reads CPU time from it (Linux only)");
  const git = gitInfo(REPO, opts.ref);
  const wranglerVersion = JSON.parse(readFileSync(join(REPO, "node_modules", "wrangler", "package.json"), "utf8")).version;
  const meta = {
    date: new Date().toISOString(),
    mode: opts.quick ? "quick" : "full",
    tree: opts.ref ? `git ref ${opts.ref}` : "working tree",
    commit: git.commit,
    dirtyFiles: git.dirtyFiles,
    node: process.versions.node,
    wrangler: wranglerVersion,
    localObservability: (process.env.X_LOCAL_OBSERVABILITY ?? "false") !== "false",
    cpus: cpus().length,
    loadavg: loadavg(),
    config: CONFIG,
    systems: SYSTEMS.map((s) => s.name),
  };
  mkdirSync(join(RESULTS, "logs"), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "vigil-bench-"));
  workDir = work;
  log(`state and Vigil snapshot in ${work}; logs in ${relative(REPO, join(RESULTS, "logs"))}/`);

  try {
    const systems = {};
    const startOne = async (spec) => {
      const persistDir = join(work, "state", spec.name);
      // Vigil builds from a copy of the working tree taken now; the floors from bench/floors/.
      let srcDir = REPO;
      if (spec.name === "vigil") srcDir = opts.ref ? await snapshotRef(REPO, opts.ref, join(work, "vigil-src")) : snapshotRepo(REPO, join(work, "vigil-src"));
      const destDir = spec.name === "vigil" ? srcDir : join(work, "workers", spec.name);
      mkdirSync(destDir, { recursive: true });
      const { config, bundleDir, entry } = await prebuildWorker({ repo: REPO, srcDir, config: spec.config ?? "wrangler.toml", destDir });
      if (spec.name === "vigil") await applyMigrations(REPO, destDir, config, persistDir);
      systems[spec.name] = await startSystem({
        ...spec,
        config,
        repo: REPO,
        cwd: destDir,
        port: await freePort(),
        inspectorPort: await freePort(),
        persistDir,
        logPath: join(RESULTS, "logs", `${spec.name}.log`),
      });
      Object.assign(systems[spec.name], { bundleDir, bundleEntry: entry });
    };
    log(`starting ${SYSTEMS.map((s) => s.name).join(", ")} (wrangler dev ${wranglerVersion})`);
    await Promise.all(SYSTEMS.map(startOne));
    allSystems = Object.values(systems);
    const keys = {};
    let readKey = null;
    for (const s of SYSTEMS) keys[s.name] = "bench-floor-ignores-auth";
    if (systems.vigil) {
      const project = await createProject(systems.vigil.port);
      keys.vigil = project.ingest_key;
      readKey = project.read_key;
    }
    for (const s of Object.values(systems)) {
      const idle0 = workerdCpuNs(s);
      await sleep(1_000);
      s.idleCpuPctOfCore = (workerdCpuNs(s) - idle0) / 1e7;
    }
    log(`ready: ${Object.values(systems).map((s) => `${s.name} on :${s.port} (workerd ${s.workerd.map((p) => `${p.role} ${p.pid}`).join(", ")}, idle ${s.idleCpuPctOfCore.toFixed(1)} % of a core)`).join("; ")}`);

    const names = SYSTEMS.map((s) => s.name);
    const order = (round) => (round % 2 === 0 ? names : [...names].reverse());
    const workloads = { short: {}, long: {} };
    for (const n of names) {
      workloads.short[n] = {};
      workloads.long[n] = {};
    }

    // Short runs: saturation (closed loop), then the fixed rate (open loop).
    const shortRounds = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < CONFIG.rounds; round++) {
      for (const n of order(round)) {
        const r = await measured(`${n}, short saturation round ${round + 1}`, () => shortSaturated(systems[n], keys[n], round));
        shortRounds[n].push(r);
        log(`short saturated, round ${round + 1}, ${n}: ${f0(r.eventsPerSec)} events/s, ${f0(r.cpuUsPerEvent)} µs CPU/event, p50 ${f0(r.p50)} ms, p99 ${f0(r.p99)} ms, ${r.errors} errors`);
      }
    }
    for (const n of names) workloads.short[n].saturated = combineRounds(shortRounds[n]);
    for (const n of names) {
      const r = await measured(`${n}, short runs at ${FIXED_RATE} events/s`, () => fixedRate(systems[n], keys[n], "short"));
      workloads.short[n].fixed = r;
      log(`short @${FIXED_RATE} events/s, ${n}: p50 ${f1(r.p50)} ms, p99 ${f1(r.p99)} ms, ${r.errors} errors`);
    }

    // Long runs.
    const longRounds = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < CONFIG.rounds; round++) {
      for (const n of order(round)) {
        const r = await measured(`${n}, long saturation round ${round + 1}`, () => longSaturated(systems[n], keys[n], round));
        longRounds[n].push(r);
        log(`long saturated, round ${round + 1}, ${n}: ${f0(r.eventsPerSec)} events/s, ${f0(r.cpuUsPerEvent)} µs CPU/event, p50 ${f0(r.p50)} ms, p99 ${f0(r.p99)} ms, ${r.errors} errors`);
      }
    }
    for (const n of names) workloads.long[n].saturated = combineRounds(longRounds[n]);
    for (const n of names) {
      const r = await measured(`${n}, long runs at ${FIXED_RATE} events/s`, () => fixedRate(systems[n], keys[n], "long"));
      workloads.long[n].fixed = r;
      log(`long @${FIXED_RATE} events/s, ${n}: p50 ${f1(r.p50)} ms, p99 ${f1(r.p99)} ms, ${r.errors} errors`);
    }

    // Flat cost and memory of one long execution.
    const flat = {};
    for (const n of names) {
      const runs = [];
      for (let run = 0; run < CONFIG.flatRuns; run++) runs.push(await measured(`${n}, flat-cost run ${run + 1}`, () => flatRun(systems[n], keys[n], run)));
      flat[n] = combineFlat(runs);
      const kib = (v) => (typeof v === "number" ? `${(v / 1024).toFixed(0)} KiB` : "n/a");
      log(`flat cost, ${n}: last/first ${flat[n].ratio.toFixed(2)}x, last/(1,001-2,000) ${flat[n].ratioWarm.toFixed(2)}x; 2nd half per 1k events: heap ${kib(flat[n].heapGrowthPer1kSecondHalf)}, RSS ${kib(flat[n].rssGrowthPer1kSecondHalf)}`);
    }

    let profiles = null;
    if (opts.profile) {
      profiles = {};
      for (const n of ["do-store", "vigil"].filter((x) => systems[x])) profiles[n] = await profileSystem(systems[n], keys[n]);
    }

    let vigil = null;
    if (systems.vigil) {
      await settle(systems.vigil, 3_000, 15_000);
      const g = await vigilGroups(systems.vigil.port, readKey);
      const all = [...Object.values(workloads.short.vigil), ...Object.values(workloads.long.vigil)];
      const sum = (k) => all.reduce((a, x) => a + (x.rounds ? x.rounds.reduce((b, r) => b + (r[k] ?? 0), 0) : (x[k] ?? 0)), 0);
      vigil = { ...g, directives: sum("directives"), rejected: sum("rejected"), duplicates: sum("duplicates"), wranglerLogErrors: systems.vigil.errors };
      if (g.error) warnings.push(`Vigil: ${g.error}`);
    }

    for (const s of Object.values(systems)) {
      if (s.reloads.length) warnings.push(`${s.name}: wrangler reloaded the Worker during the run (${s.reloads[0]}); figures around it are disturbed`);
      if (s.errors.length) warnings.push(`${s.name}: ${s.errors.length} error line(s) in its wrangler log, e.g. ${s.errors[0]}`);
    }
    for (const [w, bySystem] of Object.entries(workloads)) {
      for (const [n, m] of Object.entries(bySystem)) {
        const errors = (m.saturated?.errors ?? 0) + (m.fixed?.errors ?? 0);
        if (errors > 0) warnings.push(`${n}, ${w} runs: ${errors} failed requests (e.g. ${(m.saturated?.rounds?.[0]?.errorSamples ?? m.fixed?.errorSamples ?? [])[0] ?? "?"})`);
      }
    }

    const disturbed = foreignLog.filter((f) => f.cores > QUIET_CORES);
    if (disturbed.length) {
      const worst = disturbed.reduce((a, b) => (b.cores > a.cores ? b : a));
      warnings.push(
        `${disturbed.length} of ${foreignLog.length} measured phases ran while other processes on this machine used more than ${QUIET_CORES} cores on average (worst ${worst.cores.toFixed(2)}, ${worst.phase}): absolute figures are depressed and the ratios noisier than usual (per phase: meta.foreignLoad in latest.json)`,
      );
    }

    const bytesPer1k = longBatch("size-probe", 50).length * (1_000 / BATCH);
    const ratios = computeRatios(workloads);
    meta.durationSec = (performance.now() - T0) / 1_000;
    meta.systemsInfo = Object.fromEntries(Object.values(systems).map((s) => [s.name, { port: s.port, workerd: s.workerd, idleCpuPctOfCore: s.idleCpuPctOfCore }]));
    meta.eventBytesPer1k = bytesPer1k;
    meta.foreignLoad = foreignLog;
    meta.workloads = { short: `${SHORT_LENGTH} events per execution, ${BATCH / SHORT_LENGTH} executions per request`, long: `${LONG_LENGTH} events per execution, ${BATCH} per request, in order` };
    const results = { meta, workloads, ratios, flat, vigil, profiles, targets: computeTargets(workloads, ratios, flat, bytesPer1k), warnings };

    await stopAll();
    const text = renderText(results);
    console.log(`\n${text}\n`);
    writeFileSync(join(RESULTS, "latest.json"), `${JSON.stringify(results, null, 1)}\n`);
    const md = join(RESULTS, "latest.md");
    writeFileSync(md, renderMarkdown(results));
    console.log(`Markdown: ${md}\nJSON:     ${join(RESULTS, "latest.json")}`);
  } finally {
    await stopAll();
    if (!opts.keepState) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

try {
  await main();
  destroyAgent();
  process.exit(0);
} catch (error) {
  console.error(`bench failed: ${error?.stack ?? error}`);
  await shutdown(1);
}
