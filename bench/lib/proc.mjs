// Linux /proc readers: the process tree under a wrangler, CPU time and resident memory.
// CPU comes from /proc/<pid>/task/<tid>/schedstat (nanoseconds on CPU per thread, exact), with
// /proc/<pid>/stat utime+stime (clock ticks, includes exited threads) kept as a cross-check.
import { readFileSync, readdirSync } from "node:fs";

const TICK_NS = 1e9 / 100; // USER_HZ is 100 on Linux

function read(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** [pid, ppid, comm] of every process, from /proc/<pid>/stat. */
function processTable() {
  const rows = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    rows.push({ pid: Number(name), ppid: Number(fields[1]), comm });
  }
  return rows;
}

/** Every descendant of `root` (not `root` itself), with its command line. */
export function descendants(root) {
  const table = processTable();
  const children = new Map();
  for (const row of table) {
    if (!children.has(row.ppid)) children.set(row.ppid, []);
    children.get(row.ppid).push(row);
  }
  const out = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop();
    for (const child of children.get(pid) ?? []) {
      const cmdline = (read(`/proc/${child.pid}/cmdline`) ?? "").split("\0").join(" ").trim();
      out.push({ ...child, cmdline });
      stack.push(child.pid);
    }
  }
  return out;
}

/** CPU nanoseconds of one process: the sum over its live threads (schedstat). */
export function cpuNs(pid) {
  let total = 0;
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const tid of tasks) {
    const s = read(`/proc/${pid}/task/${tid}/schedstat`);
    if (s) total += Number(s.split(" ")[0]);
  }
  return total;
}

/** CPU nanoseconds of one process from utime+stime ticks (10 ms resolution, includes dead threads). */
export function cpuTicksNs(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_NS;
}

export function threadCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

/** Resident memory in bytes (VmRSS), or null when the process is gone. */
export function rssBytes(pid) {
  const status = read(`/proc/${pid}/status`);
  const m = status && /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

export function schedstatAvailable() {
  return read(`/proc/${process.pid}/schedstat`) !== null;
}

/** Busy CPU nanoseconds of the whole machine (all cores), from the first line of /proc/stat. */
export function machineBusyNs() {
  const line = (read("/proc/stat") ?? "").split("\n")[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = f[0] + f[1] + f[2] + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return busy * TICK_NS;
}

/** CPU nanoseconds (ticks) of a list of pids, gone ones counting zero. */
export function pidsTicksNs(pids) {
  let total = 0;
  for (const pid of pids) total += cpuTicksNs(pid) ?? 0;
  return total;
}
