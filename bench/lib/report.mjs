// Turns the measurements into the printed table, the ratios against the floors and the PASS/FAIL
// lines of the targets, as plain text (stdout) and Markdown (bench/results/latest.md).

export const SYSTEM_LABELS = {
  "parse-only": "floor: parse only",
  "do-store": "floor: DO per execution",
  vigil: "Vigil",
};

const fmt = {
  int: (v) => (v === null || v === undefined || Number.isNaN(v) ? "–" : Math.round(v).toLocaleString("en-US")),
  num: (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? "–" : v.toFixed(d)),
  ms: (v) => (v === null || v === undefined || Number.isNaN(v) ? "–" : v < 10 ? v.toFixed(1) : Math.round(v).toString()),
  pct: (v) => (v === null || v === undefined || Number.isNaN(v) ? "–" : `${(v * 100).toFixed(0)} %`),
  x: (v) => (v === null || v === undefined || Number.isNaN(v) ? "–" : `${v.toFixed(2)}x`),
  mb: (v) => (v === null || v === undefined || Number.isNaN(v) ? "–" : `${(v / 1048576).toFixed(v < 10 * 1048576 ? 1 : 0)} MB`),
  kb: (v) => (v === null || v === undefined || Number.isNaN(v) ? "–" : `${(v / 1024).toFixed(0)} KiB`),
};
export { fmt };

/** Rows of the main table: one per (workload, system). */
export function mainRows(results) {
  const rows = [];
  for (const [workload, bySystem] of Object.entries(results.workloads)) {
    for (const [system, m] of Object.entries(bySystem)) {
      rows.push({
        workload,
        system,
        eventsPerSec: m.saturated?.eventsPerSec,
        cpuUsPerEvent: m.saturated?.cpuUsPerEvent,
        runtimeCpuUsPerEvent: m.saturated?.runtimeCpuUsPerEvent,
        satP50: m.saturated?.p50,
        satP99: m.saturated?.p99,
        fixedP50: m.fixed?.p50,
        fixedP99: m.fixed?.p99,
        errors: (m.saturated?.errors ?? 0) + (m.fixed?.errors ?? 0),
      });
    }
  }
  return rows;
}

const HEAD = ["workload", "system", "events/s (sat.)", "CPU µs/event", "of it runtime", "p50 ms (sat.)", "p99 ms (sat.)", "p50 ms @1000/s", "p99 ms @1000/s", "errors"];

function tableCells(results) {
  return mainRows(results).map((r) => [
    r.workload,
    SYSTEM_LABELS[r.system] ?? r.system,
    fmt.int(r.eventsPerSec),
    fmt.num(r.cpuUsPerEvent, 0),
    fmt.num(r.runtimeCpuUsPerEvent, 0),
    fmt.ms(r.satP50),
    fmt.ms(r.satP99),
    fmt.ms(r.fixedP50),
    fmt.ms(r.fixedP99),
    String(r.errors),
  ]);
}

function textTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function mdTable(head, rows) {
  const align = head.map((_, i) => (i < 2 ? "---" : "---:"));
  return [`| ${head.join(" | ")} |`, `| ${align.join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function ratioRows(results) {
  const rows = [];
  for (const [workload, r] of Object.entries(results.ratios)) {
    rows.push([
      workload,
      fmt.pct(r.throughputVsDoStore),
      fmt.pct(r.throughputVsParse),
      fmt.x(r.cpuVsDoStore),
      fmt.x(r.cpuVsParse),
      fmt.x(r.fixedP99VsDoStore),
      fmt.x(r.satP99VsDoStore),
    ]);
  }
  return rows;
}
const RATIO_HEAD = ["workload", "Vigil/DO floor events/s", "Vigil/parse floor events/s", "Vigil/DO floor CPU per event", "Vigil/parse floor CPU per event", "Vigil/DO floor p99 @1000/s", "Vigil/DO floor p99 sat."];

function flatRows(results) {
  return Object.entries(results.flat).map(([system, f]) => [
    SYSTEM_LABELS[system] ?? system,
    String(f.runs.length),
    fmt.num(f.firstUsPerEvent, 0),
    fmt.num(f.warmUsPerEvent, 0),
    fmt.num(f.lastUsPerEvent, 0),
    fmt.x(f.ratio),
    fmt.x(f.ratioWarm),
    fmt.kb(f.heapGrowthPer1kFirstHalf),
    fmt.kb(f.heapGrowthPer1kSecondHalf),
    fmt.mb(f.heapEnd),
    fmt.kb(f.rssGrowthPer1kSecondHalf),
  ]);
}
const FLAT_HEAD = [
  "system",
  "runs",
  "CPU µs/event, events 1–1,000",
  "1,001–2,000",
  "19,001–20,000",
  "last/first",
  "last/(1,001–2,000)",
  "heap per 1k events, 1st half",
  "heap per 1k events, 2nd half",
  "heap at end",
  "RSS per 1k events, 2nd half",
];

function memoryRows(results) {
  const rows = [];
  for (const [system, m] of Object.entries(results.workloads.long ?? {})) {
    const mem = m.saturated?.memory;
    if (!mem) continue;
    rows.push([SYSTEM_LABELS[system] ?? system, fmt.mb(mem.start), fmt.mb(mem.mid), fmt.mb(mem.end), fmt.kb(mem.per1kFirstHalf), fmt.kb(mem.per1kSecondHalf)]);
  }
  return rows;
}
const MEM_HEAD = ["system", "RSS start", "RSS middle", "RSS end", "growth per 1k events, 1st half", "growth per 1k events, 2nd half"];

function targetLines(results) {
  return results.targets.map((t) => `${t.pass === null ? "N/A " : t.pass ? "PASS" : "FAIL"}  ${t.name}: ${t.value} (target ${t.threshold})${t.note ? ` – ${t.note}` : ""}`);
}

function profileLines(results, md) {
  const out = [];
  for (const [system, byWorkload] of Object.entries(results.profiles ?? {})) {
    const floor = system !== "vigil";
    for (const [workload, p] of Object.entries(byWorkload)) {
      const head = `${SYSTEM_LABELS[system] ?? system}, ${workload} runs: ${fmt.int(p.eventsPerSec)} events/s under the profiler, runtime CPU ${fmt.num(p.runtimeCpuUsPerEvent, 0)} µs/event (${p.file})`;
      out.push(md ? `**${head}**` : head, "");
      const areaRows = p.areas.slice(0, floor ? 6 : 12).map((a) => [a.name, `${(a.share * 100).toFixed(1)} %`, fmt.num(a.cpuUsPerEvent, 0)]);
      const fnRows = p.functions.slice(0, floor ? 6 : 15).map((f) => [f.name.replace(/\s{2,}/, "  @ "), `${(f.share * 100).toFixed(1)} %`, fmt.num(f.cpuUsPerEvent, 0)]);
      const h1 = ["area (package or directory)", "share", "≈ CPU µs/event"];
      const h2 = ["function @ source file", "share", "≈ CPU µs/event"];
      out.push(md ? mdTable(h1, areaRows) : textTable(h1, areaRows), "");
      out.push(md ? mdTable(h2, fnRows) : textTable(h2, fnRows), "");
    }
  }
  return out;
}

function foreignLine(results) {
  const f = results.meta.foreignLoad ?? [];
  if (!f.length) return "";
  const max = f.reduce((a, b) => (b.cores > a.cores ? b : a));
  const mean = f.reduce((a, b) => a + b.cores, 0) / f.length;
  return `Other processes on this machine used ${mean.toFixed(2)} cores on average during the measured phases (most: ${max.cores.toFixed(2)}, ${max.phase}).`;
}

export function renderText(results) {
  const out = [];
  out.push(`Vigil bench, ${results.meta.mode} mode, ${results.meta.date}: ${results.meta.tree}, commit ${results.meta.commit}${results.meta.dirtyFiles.length ? ` + ${results.meta.dirtyFiles.length} uncommitted files` : ""}`);
  out.push(foreignLine(results));
  out.push(`CPU = both workerd processes of each wrangler dev (wrangler's proxy + the runtime), from /proc schedstat, per accepted event; "of it runtime" = the runtime process alone. Latency in ms per request of 100 events.`);
  out.push("");
  out.push(textTable(HEAD, tableCells(results)));
  out.push("");
  out.push("Ratios (same run, same machine):");
  out.push(textTable(RATIO_HEAD, ratioRows(results)));
  out.push("");
  out.push("Flat cost (one 20,000-event execution, batches sent one at a time; medians over runs):");
  out.push(textTable(FLAT_HEAD, flatRows(results)));
  const mem = memoryRows(results);
  if (mem.length) {
    out.push("");
    out.push("Memory during the long saturated run (runtime workerd RSS):");
    out.push(textTable(MEM_HEAD, mem));
  }
  if (results.profiles) {
    out.push("");
    out.push("Where the isolate's time goes (--profile; self time by source file through the source map; CPU per event = share x the runtime process's CPU):");
    out.push(...profileLines(results, false));
  }
  out.push("");
  out.push("Targets:");
  out.push(...targetLines(results).map((l) => `  ${l}`));
  if (results.vigil) {
    out.push("");
    out.push(`Vigil failure groups created: ${results.vigil.groups.length}${results.vigil.groups.length ? ` (${results.vigil.groups.map((g) => `${g.failure_class}:${g.signature} x${g.occurrences}`).join(", ")})` : ""}; halt directives: ${results.vigil.directives}; rejected events: ${results.vigil.rejected}`);
  }
  for (const w of results.warnings) out.push(`WARNING: ${w}`);
  return out.join("\n");
}

export function renderMarkdown(results) {
  const m = results.meta;
  const out = [];
  out.push(`# Vigil bench: ${m.date}`);
  out.push("");
  out.push(
    `${m.mode} mode; ${m.tree}, commit \`${m.commit}\`${m.dirtyFiles.length ? ` plus ${m.dirtyFiles.length} uncommitted file(s) outside bench/` : ""}; ${m.cpus} CPUs (load average before the run ${m.loadavg.map((l) => l.toFixed(2)).join(", ")}); Node ${m.node}; wrangler ${m.wrangler} (local trace collector ${m.localObservability ? "on" : "off"}); ${m.durationSec.toFixed(0)} s in all.`,
  );
  out.push("");
  out.push(
    "Each system ran in its own `wrangler dev` with a fresh `--persist-to` directory, started by the bench. Events/s is accepted events over wall time in a closed loop; CPU is the workerd processes' (wrangler's proxy and the runtime) per accepted event, including the background work (alarms) that finished within a few seconds; latencies are per request of 100 events, at saturation and in an open loop offered 1,000 events/s (10 requests/s), measured from the scheduled send time. See `bench/README.md`.",
  );
  out.push("");
  out.push(foreignLine(results));
  out.push("");
  out.push(mdTable(HEAD, tableCells(results)));
  out.push("");
  out.push("## Ratios against the floors");
  out.push("");
  out.push(mdTable(RATIO_HEAD, ratioRows(results)));
  out.push("");
  out.push("## Flat cost and memory");
  out.push("");
  out.push("One 20,000-event execution at a time, its 200 batches sent one after another; CPU per event of a window of 10 batches; medians over runs.");
  out.push("");
  out.push(mdTable(FLAT_HEAD, flatRows(results)));
  const mem = memoryRows(results);
  if (mem.length) {
    out.push("");
    out.push("Runtime workerd RSS during the long saturated run (all long executions at once):");
    out.push("");
    out.push(mdTable(MEM_HEAD, mem));
  }
  if (results.profiles) {
    out.push("");
    out.push("## Where the time goes");
    out.push("");
    out.push("V8 sampling profiles of the Worker isolate (the Worker and its Durable Objects; local D1 runs in another isolate), self time by original source file through the bundle's source map, taken after and apart from the measured phases. \"≈ CPU µs/event\" spreads the runtime process's measured CPU over the shares. `(native)` is time in runtime APIs called from JS (mostly SQLite `exec`), `(program)` native work outside JS.");
    out.push("");
    out.push(...profileLines(results, true));
  }
  out.push("");
  out.push("## Targets");
  out.push("");
  out.push(...targetLines(results).map((l) => `- ${l.replace(/^(PASS|FAIL|N\/A )/, "**$1**")}`));
  if (results.vigil) {
    out.push("");
    out.push("## Vigil's own view of the workload");
    out.push("");
    out.push(`- failure groups created: ${results.vigil.groups.length}`);
    for (const g of results.vigil.groups) out.push(`  - \`${g.failure_class}\` / \`${g.signature}\`: ${g.occurrences} occurrence(s) in ${g.executions} execution(s)`);
    out.push(`- halt directives returned: ${results.vigil.directives}; events rejected: ${results.vigil.rejected}; duplicates: ${results.vigil.duplicates}`);
  }
  if (results.warnings.length) {
    out.push("");
    out.push("## Warnings");
    out.push("");
    for (const w of results.warnings) out.push(`- ${w}`);
  }
  out.push("");
  out.push("Raw figures (every round, per-process CPU, memory samples): `bench/results/latest.json`.");
  out.push("");
  return out.join("\n");
}
