// npm run lab -- --url http://127.0.0.1:8787 [--seed N] [--clean 1300] [--per-mode 20] [--mode X[,Y]]
//   [--probabilistic] [--multiplier M] [--concurrency 8] [--admin-token T] [--no-write] [--out FILE]
//
// Creates a fresh project, sends the generated traffic through POST /v1/events, polls
// GET /v1/groups while it goes (detection latency), reads every run's findings back
// (GET /v1/executions/{id}/topology: each node's failure groups), scores them against the ground
// truth, prints the table and writes docs/lab-report.md (unless --no-write). Exit code 1 when a gate fails.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Api, pool, sleep } from "./client.ts";
import type { GroupSummary } from "./client.ts";
import { generate } from "./generator/index.ts";
import { MODES, MODE_BY_NAME } from "./generator/modes/index.ts";
import type { ObservedFinding } from "./score.ts";
import { score } from "./score.ts";
import { renderReport, renderTable } from "./report.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    seed: { type: "string", default: "1" },
    clean: { type: "string", default: "1300" },
    "per-mode": { type: "string", default: "20" },
    mode: { type: "string" },
    probabilistic: { type: "boolean", default: false },
    multiplier: { type: "string", default: "1" },
    concurrency: { type: "string", default: "8" },
    "admin-token": { type: "string", default: process.env.ADMIN_TOKEN ?? "dev-admin-token" },
    "no-write": { type: "boolean", default: false },
    out: { type: "string" },
  },
});

const here = dirname(fileURLToPath(import.meta.url));
const seed = Number(values.seed);
const clean = Number(values.clean);
const perMode = Number(values["per-mode"]);
const modes = values.mode ? values.mode.split(",").map((m) => m.trim()) : undefined;
for (const m of modes ?? []) if (!MODE_BY_NAME.has(m)) throw new Error(`unknown mode ${m}; modes: ${MODES.map((x) => x.mode).join(", ")}`);
const HOUR = 3_600_000;

async function main(): Promise<number> {
  const api = new Api(values.url!);
  const started = Date.now();
  // The timeline ends two hours before now; its start depends on its length (generated twice: cheap).
  const probe = generate({ seed, clean, perMode, modes, probabilistic: values.probabilistic, multiplier: Number(values.multiplier), baseTime: 0 });
  const span = Math.max(...probe.units.map((u) => u.end));
  const baseTime = Math.floor((started - span - 2 * HOUR) / HOUR) * HOUR;
  const traffic = generate({ seed, clean, perMode, modes, probabilistic: values.probabilistic, multiplier: Number(values.multiplier), baseTime });
  const events = traffic.units.reduce((n, u) => n + u.executions.reduce((m, e) => m + e.events.length, 0), 0);
  const truthFile = values.out ?? join(tmpdir(), `vigil-lab-ground-truth-${seed}-${started}.json`);
  writeFileSync(truthFile, JSON.stringify(traffic.truth, null, 1));
  console.log(`lab: ${traffic.truth.executions.length} executions (${traffic.truth.injections.length} injections), ${events} events; ground truth in ${truthFile}`);

  const keys = await api.createProject(`lab seed ${seed} ${new Date(started).toISOString()}`, values["admin-token"]!);
  console.log(`lab: project ${keys.project_id}`);

  // Poll the groups while sending: when each group's execution count rose.
  const snapshots: { t: number; groups: GroupSummary[] }[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t = Date.now();
      try {
        snapshots.push({ t, groups: await api.groups(keys.read_key) });
      } catch {
        // a failed poll only coarsens latency
      }
      await sleep(400);
    }
  })();

  const { sendTimeline } = await import("./send.ts");
  let lastLog = 0;
  const sentAt = await sendTimeline(api, keys.ingest_key, traffic.units, Number(values.concurrency), (n) => {
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      console.log(`lab: sent ${n}/${events} events`);
    }
  });
  const sendSeconds = (Date.now() - started) / 1000;
  console.log(`lab: sent in ${sendSeconds.toFixed(0)} s; waiting for groups to settle`);
  // Settle: groups unchanged over 5 consecutive polls (findings flush through an outbox).
  const fingerprint = (g: GroupSummary[]) => g.map((x) => `${x.id}:${x.occurrences}:${x.executions}`).sort().join("|");
  for (let stable = 0, last = "", waited = 0; stable < 5 && waited < 180_000; waited += 1000) {
    await sleep(1000);
    const fp = snapshots.length ? fingerprint(snapshots.at(-1)!.groups) : "";
    stable = fp === last ? stable + 1 : 0;
    last = fp;
  }
  polling = false;
  await poller;

  // Read back: each root's topology lists every node with its failure groups.
  const parentOf = new Map<string, string | null>();
  for (const u of traffic.units)
    for (const e of u.executions) parentOf.set(e.id, (e.events.find((x) => x.type === "execution_started")?.parent_execution_id as string | undefined) ?? null);
  const roots = [...parentOf.entries()].filter(([, p]) => p === null).map(([id]) => id);
  const observed = new Map<string, ObservedFinding[]>();
  interface Node {
    execution_id: string;
    groups: { id: string; failure_class: string; signature: string }[];
    children: Node[];
  }
  await pool(roots, 8, async (id) => {
    const { status, body } = await api.json<{ tree: Node }>("GET", `/v1/executions/${encodeURIComponent(id)}/topology`, keys.read_key);
    if (status !== 200) throw new Error(`topology of ${id} answered ${status}`);
    const walk = (n: Node) => {
      if (n.groups.length) observed.set(n.execution_id, n.groups.map((g) => ({ failure_class: g.failure_class, signature: g.signature, group_id: g.id })));
      n.children.forEach(walk);
    };
    walk(body.tree);
  });

  // Latency: send of the request carrying the completing event -> first poll at which the injection's
  // group held as many executions as the detected injections sent into it so far.
  const latencies = new Map<string, number>();
  const byGroup = new Map<string, { inj: string; sent: number }[]>();
  for (const inj of traffic.truth.injections) {
    const f = inj.detect_on.flatMap((id) => observed.get(id) ?? []).find((x) => x.failure_class === inj.failure_class);
    if (!f) continue;
    byGroup.set(f.group_id, [...(byGroup.get(f.group_id) ?? []), { inj: inj.id, sent: sentAt.get(inj.completing_event_id)! }]);
  }
  for (const [gid, list] of byGroup) {
    list.sort((a, b) => a.sent - b.sent);
    list.forEach((x, k) => {
      const seen = snapshots.find((s) => s.t >= x.sent && (s.groups.find((g) => g.id === gid)?.executions ?? 0) >= k + 1);
      if (seen) latencies.set(x.inj, seen.t - x.sent);
    });
  }

  writeFileSync(truthFile.replace(/\.json$/, "") + ".observed.json", JSON.stringify({ project: keys.project_id, findings: Object.fromEntries(observed) }, null, 1));
  const result = score(traffic.truth, observed, MODES, latencies);
  const meta = {
    url: values.url!,
    seed,
    clean,
    perMode,
    modes: modes ?? null,
    probabilistic: values.probabilistic!,
    multiplier: Number(values.multiplier),
    executions: traffic.truth.executions.length,
    injections: traffic.truth.injections.length,
    events,
    sendSeconds,
    totalSeconds: (Date.now() - started) / 1000,
    date: new Date(started).toISOString(),
    project: keys.project_id,
  };
  console.log(renderTable(result));
  for (const g of result.gates) if (!g.ok) console.log(`GATE FAILED: ${g.name} (${g.detail})`);
  for (const r of result.rows) {
    if (r.missed.length) console.log(`missed ${r.failure_class}: ${r.missed.slice(0, 5).join(", ")}`);
    if (r.fp_examples.length) console.log(`false positives ${r.failure_class}: ${r.fp_examples.join("; ")}`);
  }
  if (!values["no-write"]) {
    const file = resolve(here, "../docs/lab-report.md");
    writeFileSync(file, renderReport(result, meta, traffic.truth));
    console.log(`lab: wrote ${file}`);
  }
  console.log(result.ok ? "lab: all gates met" : "lab: gates failed");
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
