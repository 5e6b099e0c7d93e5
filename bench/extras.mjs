// npm run bench:extras (also the second half of `npm run bench`): the figures the later issues ask
// the bench for, beside the main run's floors.
// 1. Content scanners: microseconds per KiB of scanned text, and the CPU of a full 1 MiB batch
//    through scanEvent (the edge's redaction and scanning), in this Node process.
// 2. OpenTelemetry ingest beside native ingest, same executions: scripts/bench-otel.mjs (the edge's
//    work per event up to the hand-off to the objects: the only part where the two routes differ).
// 3. One hot project among many: a real Vigil (`wrangler dev`, fresh state), 20 quiet projects
//    sending at a steady low rate while one project saturates; the hot project's events/s, and the
//    request rate its project object receives (one `observe` per ingest request carrying signals,
//    plus at most one coalesced `recordIngest` per request).
// Results go to stdout and bench/results/extras.md.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { closedLoop, destroyAgent, postEvents } from "./lib/load.mjs";
import { applyMigrations, freePort, prebuildWorker, snapshotRepo, startSystem, stopAll } from "./lib/servers.mjs";
import { LONG_LENGTH, batchesPerLongExecution, longBatch, makeEvent } from "./lib/workload.mjs";
import { scanEvent } from "../workers/scanners/scan-event.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = join(REPO, "bench", "results");
const ADMIN_TOKEN = "bench-admin-token";
const QUIET_PROJECTS = 20;
const HOT_LANES = 6;
const HOT_SECONDS = Number(process.env.BENCH_HOT_SECONDS ?? 20);
const out = [];
const say = (line = "") => {
  console.log(line);
  out.push(line);
};

// 1. Scanner cost -------------------------------------------------------------------------------
function scannerCost() {
  // Realistic events: the bench workload's own (chat turns, tool calls, checkpoints, scores). Each
  // round gets new executions, so new content: the scanners' memo (workers/scanners/memo.ts) only
  // helps where a batch itself repeats strings, as chat history does.
  const batchOf = (round) => {
    const events = [];
    let bytes = 0;
    for (let i = 0; ; i++) {
      const e = makeEvent(`scan-${round}-${Math.floor(i / 50)}`, i % 50, 50, Date.now());
      const size = Buffer.byteLength(JSON.stringify(e));
      if (bytes + size > 1024 * 1024) return { events, bytes };
      events.push(e);
      bytes += size;
    }
  };
  for (const e of batchOf("warmup").events.slice(0, 200)) scanEvent(e); // warm the JIT
  const rounds = 5;
  const cpu = [];
  let events = [];
  let bytes = 0;
  for (let r = 0; r < rounds; r++) {
    ({ events, bytes } = batchOf(r));
    const t0 = process.cpuUsage();
    for (const e of events) scanEvent(e);
    const t = process.cpuUsage(t0);
    cpu.push((t.user + t.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  const ms = cpu[Math.floor(rounds / 2)];
  say("## Content scanners (edge, per request)");
  say("");
  say(`| batch | events | KiB | CPU ms (median of ${rounds}) | µs per KiB | µs per event | share of the 30 s Worker CPU limit |`);
  say("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  say(`| one full 1 MiB request of bench events | ${events.length} | ${(bytes / 1024).toFixed(0)} | ${ms.toFixed(1)} | ${((ms * 1000) / (bytes / 1024)).toFixed(1)} | ${((ms * 1000) / events.length).toFixed(1)} | ${((ms / 30_000) * 100).toFixed(2)} % |`);
  say("");
  say("Corpus-based figures (tau-bench events, the worst 64 KiB hostile event) are in docs/detection-quality.md, section 6.");
  say("");
}

// 2. OTLP beside native -------------------------------------------------------------------------
function otelBesideNative() {
  say("## OpenTelemetry ingest beside native ingest (same executions)");
  say("");
  const res = spawnSync(process.execPath, [join(REPO, "scripts", "bench-otel.mjs")], { cwd: REPO, encoding: "utf8", env: { ...process.env, BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? "3" } });
  const text = `${res.stdout ?? ""}`.trim();
  say(text || `bench-otel failed: ${res.stderr}`);
  say("");
}

// 3. Hot project among many ---------------------------------------------------------------------
async function createProject(port, name) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/admin/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`project creation answered ${res.status}`);
  return res.json();
}

async function hotProject() {
  const work = mkdtempSync(join(tmpdir(), "vigil-bench-extras-"));
  try {
    const src = snapshotRepo(REPO, join(work, "vigil-src"));
    const persistDir = join(work, "state");
    const { config } = await prebuildWorker({ repo: REPO, srcDir: src, config: "wrangler.toml", destDir: src });
    await applyMigrations(REPO, src, config, persistDir);
    mkdirSync(join(RESULTS, "logs"), { recursive: true });
    const vigil = await startSystem({
      name: "vigil-extras",
      repo: REPO,
      cwd: src,
      config,
      port: await freePort(),
      inspectorPort: await freePort(),
      persistDir,
      extraArgs: ["--var", `ADMIN_TOKEN:${ADMIN_TOKEN}`],
      logPath: join(RESULTS, "logs", "vigil-extras.log"),
    });
    const hot = await createProject(vigil.port, "hot");
    const quiet = [];
    for (let i = 0; i < QUIET_PROJECTS; i++) quiet.push(await createProject(vigil.port, `quiet-${i}`));

    // Quiet projects: each sends one request of 20 events every second, in an open loop.
    let quietSent = 0;
    let quietAccepted = 0;
    let running = true;
    const quietLoop = (async () => {
      let tick = 0;
      while (running) {
        const due = Date.now();
        await Promise.all(
          quiet.map(async (p, i) => {
            const events = [];
            for (let s = 0; s < 20; s++) events.push(makeEvent(`q${i}-${tick}`, s, 20, Date.now()));
            const res = await postEvents(vigil.port, p.ingest_key, Buffer.from(JSON.stringify({ events })));
            quietSent += 20;
            quietAccepted += res.accepted ?? 0;
          }),
        );
        tick++;
        await sleep(Math.max(0, 1000 - (Date.now() - due)));
      }
    })();

    // The hot project: long executions in parallel lanes, batches of 100, as fast as answered.
    const next = Array.from({ length: HOT_LANES }, () => 0);
    const tally = await closedLoop({
      port: vigil.port,
      key: hot.ingest_key,
      lanes: HOT_LANES,
      durationMs: HOT_SECONDS * 1000,
      nextBody: (lane) => {
        const i = next[lane]++;
        if (i >= batchesPerLongExecution()) return null;
        return longBatch(`hot-${lane}`, i, Date.now(), LONG_LENGTH);
      },
    });
    running = false;
    await quietLoop;
    const seconds = tally.wallMs / 1000;
    const requestsPerSecond = tally.requests / seconds;
    say("## One hot project among many");
    say("");
    say(`${QUIET_PROJECTS} quiet projects sent 20 events per second each while one project saturated with ${HOT_LANES} long executions (batches of 100) for ${HOT_SECONDS} s.`);
    say("");
    say("| hot project events/s | hot requests/s | p50 / p99 ms | project object: observe calls/s | project object: recordIngest calls/s (at most) | quiet projects: accepted / sent | errors |");
    say("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const p = (q) => tally.latencies.sort((a, b) => a - b)[Math.min(tally.latencies.length - 1, Math.floor(q * tally.latencies.length))] ?? 0;
    say(
      `| ${Math.round(tally.accepted / seconds).toLocaleString("en-US")} | ${requestsPerSecond.toFixed(1)} | ${p(0.5).toFixed(0)} / ${p(0.99).toFixed(0)} | ${requestsPerSecond.toFixed(1)} | ${requestsPerSecond.toFixed(1)} | ${quietAccepted} / ${quietSent} | ${tally.errors} |`,
    );
    say("");
    say("Every ingest request that carries project signals makes exactly one `observe` call; `recordIngest` calls are coalesced per isolate (at most one in flight per project), so their rate is at most the request rate.");
    say("");
  } finally {
    await Promise.race([stopAll(), sleep(8_000)]);
    destroyAgent();
    rmSync(work, { recursive: true, force: true });
  }
}

say(`# Vigil bench extras: ${new Date().toISOString()}`);
say("");
scannerCost();
otelBesideNative();
await hotProject();
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, "extras.md"), `${out.join("\n")}\n`);
console.log(`\nwritten: bench/results/extras.md`);
