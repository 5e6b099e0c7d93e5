// Starts and stops the systems under test: each one a `wrangler dev` of its own, on its own port
// and with its own fresh --persist-to directory, started the way scripts/start.mjs starts Vigil.
// Every wrangler runs in its own process group, so stopping it stops its workerd children too.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, createWriteStream, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { delimiter, isAbsolute, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuNs, cpuTicksNs, descendants, rssBytes, threadCount } from "./proc.mjs";

const running = new Set();

export function wranglerEnv(repo) {
  // node_modules/.bin first: the wrangler shim then runs on the pinned Node 22 even when this
  // script itself was started with the machine's Node 20.
  const bin = join(repo, "node_modules", ".bin");
  // wrangler dev's local trace collector (X_LOCAL_OBSERVABILITY, on by default; it feeds the local
  // explorer's traces) records every invocation's spans into a SQLite object on the runtime's own
  // thread. Production has no such in-thread collector, and it taxes each RPC and SQL statement, so
  // the bench turns it off for every system alike unless the caller set the variable.
  return {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
    WRANGLER_SEND_METRICS: "false",
    X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false",
  };
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const SNAPSHOT_SKIP = new Set(["node_modules", ".git", ".wrangler", "bench", "test-results", "dist", "coverage"]);

/**
 * Copies the working tree (uncommitted edits included, node_modules linked) to `dest`, so the
 * `wrangler dev` under test builds from a copy nobody edits: wrangler reloads the Worker whenever a
 * source file changes, and engineers edit this repository while the bench runs.
 */
export function snapshotRepo(repo, dest) {
  cpSync(repo, dest, {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(repo.length + 1);
      return rel === "" || !SNAPSHOT_SKIP.has(rel.split("/")[0]);
    },
  });
  symlinkSync(join(repo, "node_modules"), join(dest, "node_modules"), "dir");
  return dest;
}

/** Like snapshotRepo, but the tree of a git ref (`git archive`): committed files only. */
export async function snapshotRef(repo, ref, dest) {
  mkdirSync(dest, { recursive: true });
  await new Promise((resolve, reject) => {
    const archive = spawn("git", ["archive", "--format=tar", ref], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
    const tar = spawn("tar", ["-x", "-C", dest], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    archive.stderr.on("data", (c) => (err += c));
    tar.stderr.on("data", (c) => (err += c));
    archive.stdout.pipe(tar.stdin);
    archive.on("exit", (code) => code !== 0 && reject(new Error(`git archive ${ref} failed: ${err}`)));
    tar.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`tar failed: ${err}`))));
  });
  symlinkSync(join(repo, "node_modules"), join(dest, "node_modules"), "dir");
  return dest;
}

/** The commit benched and, when benching the working tree (no `ref`), its uncommitted files outside bench/. */
export function gitInfo(repo, ref) {
  const git = (args) => spawnSync("git", args, { cwd: repo, encoding: "utf8" }).stdout?.trim() ?? "";
  const dirty = git(["status", "--porcelain"])
    .split("\n")
    .filter((l) => l && !/^.. bench\//.test(l));
  return { commit: git(["rev-parse", "--short=12", ref ?? "HEAD"]), dirtyFiles: ref ? [] : dirty.map((l) => l.slice(3)) };
}

/** Runs a one-off wrangler command (not `dev`) and resolves with its output; rejects on failure. */
function wrangler(repo, args, cwd, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repo, "node_modules", ".bin", "wrangler"), args, { cwd, env: { ...wranglerEnv(repo), CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${label} failed (exit ${code}):\n${out}`));
    });
  });
}

/**
 * Bundles a Worker once, before the run (`wrangler deploy --dry-run --outdir`), and writes a copy of
 * its wrangler.toml that serves that bundle with `no_bundle = true`. `wrangler dev` otherwise
 * rebuilds and reloads the Worker whenever esbuild sees a file it read change, and that includes the
 * repository's package.json and tsconfig.json, which `npm install` by anyone rewrites mid-run.
 * Returns the new config's path (in `destDir`), the bundle's directory and its entry file name.
 */
export async function prebuildWorker({ repo, srcDir, config, destDir }) {
  const outdir = join(destDir, "bench-bundle");
  await wrangler(repo, ["deploy", "--dry-run", "--outdir", outdir, "-c", config], srcDir, `bundling ${config}`);
  const entry = readdirSync(outdir).find((f) => /\.(m?js)$/.test(f));
  if (!entry) throw new Error(`bundling ${config}: no .js file in ${outdir}`);
  const source = readFileSync(isAbsolute(config) ? config : join(srcDir, config), "utf8");
  if (!/^main\s*=.*$/m.test(source)) throw new Error(`${config} has no top-level main = line`);
  const rewritten = source.replace(/^main\s*=.*$/m, `main = "bench-bundle/${entry}"\nno_bundle = true`);
  const path = join(destDir, "wrangler.bench.toml");
  writeFileSync(path, rewritten);
  return { config: path, bundleDir: outdir, entry };
}

/** `wrangler d1 migrations apply DB --local --persist-to <dir>` for Vigil's D1. */
export async function applyMigrations(repo, cwd, config, persistDir) {
  await wrangler(repo, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir, "-c", config], cwd, "D1 migrations");
}

export function httpGet(port, path, timeoutMs = 2_000) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, timeout: timeoutMs }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ status: 0, text: "" }));
  });
}

/**
 * Starts `wrangler dev` for one system in `cwd`. `config` is a wrangler.toml path (null: the one in
 * `cwd`, i.e. Vigil's). `repo` provides node_modules. Resolves once GET /health answers 200.
 */
export async function startSystem({ name, repo, cwd, config, port, inspectorPort = 0, persistDir, extraArgs = [], logPath }) {
  const args = [
    "dev",
    ...(config ? ["-c", config] : []),
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistDir,
    "--show-interactive-dev-session=false",
    ...extraArgs,
  ];
  const log = createWriteStream(logPath);
  const child = spawn(join(repo, "node_modules", ".bin", "wrangler"), args, {
    cwd: cwd ?? repo,
    env: { ...wranglerEnv(repo), CI: undefined },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const system = {
    name,
    port,
    inspectorPort,
    child,
    pid: child.pid,
    persistDir,
    logPath,
    exited: null,
    /** Lines that mean wrangler rebuilt or restarted the Worker mid-run (a source file changed). */
    reloads: [],
    errors: [],
    workerd: [],
    node: [],
  };
  running.add(system);
  const watch = (chunk) => {
    log.write(chunk);
    for (const line of chunk.toString("utf8").split("\n")) {
      if (/reload|updated|detected changes|rebuil/i.test(line) && system.ready) system.reloads.push(line.trim().slice(0, 200));
      if (/\b(error|unhandled|uncaught)\b/i.test(line) && !/Request\.cf|getaddrinfo|workers\.cloudflare\.com/.test(line)) {
        if (system.errors.length < 50) system.errors.push(line.trim().slice(0, 300));
      }
    }
  };
  child.stdout.on("data", watch);
  child.stderr.on("data", watch);
  child.on("exit", (code, signal) => {
    system.exited = { code, signal };
    log.end();
  });

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (system.exited) throw new Error(`${name}: wrangler dev exited during start (${JSON.stringify(system.exited)}); see ${logPath}`);
    if (Date.now() > deadline) throw new Error(`${name}: not healthy after 120 s; see ${logPath}`);
    const res = await httpGet(port, "/health");
    if (res.status === 200) break;
    await sleep(250);
  }
  system.ready = true;
  discover(system);
  return system;
}

/** Finds the runtime processes: the workerd that serves the public port (wrangler's proxy) and the one running the Worker. */
export function discover(system) {
  const procs = descendants(system.pid);
  system.workerd = procs
    .filter((p) => p.comm === "workerd" || /\/workerd\s/.test(p.cmdline))
    .map((p) => ({ pid: p.pid, role: p.cmdline.includes(`entry=127.0.0.1:${system.port}`) ? "proxy" : "runtime" }));
  system.node = procs.filter((p) => p.comm === "node" || /\bnode\b/.test(p.comm)).map((p) => ({ pid: p.pid }));
  // The root is the npm-style shim (itself a node process) that started wrangler's cli.js.
  system.node.push({ pid: system.pid });
  return system;
}

/** A CPU and memory snapshot of a system's processes. */
export function snapshot(system) {
  const workerd = system.workerd.map((p) => ({ ...p, ns: cpuNs(p.pid), ticksNs: cpuTicksNs(p.pid), rss: rssBytes(p.pid), threads: threadCount(p.pid) }));
  const node = system.node.map((p) => ({ ...p, ns: cpuNs(p.pid), rss: rssBytes(p.pid) }));
  return {
    at: performance.now(),
    workerdNs: workerd.reduce((a, p) => a + (p.ns ?? 0), 0),
    workerdTicksNs: workerd.reduce((a, p) => a + (p.ticksNs ?? 0), 0),
    nodeNs: node.reduce((a, p) => a + (p.ns ?? 0), 0),
    runtimeRss: workerd.filter((p) => p.role === "runtime").reduce((a, p) => a + (p.rss ?? 0), 0),
    proxyRss: workerd.filter((p) => p.role === "proxy").reduce((a, p) => a + (p.rss ?? 0), 0),
    alive: workerd.every((p) => p.ns !== null),
    workerd,
  };
}

/** Just the workerd CPU nanoseconds (cheap enough to call around every request). */
export function workerdCpuNs(system) {
  let total = 0;
  for (const p of system.workerd) total += cpuNs(p.pid) ?? 0;
  return total;
}

export function runtimeRss(system) {
  let total = 0;
  for (const p of system.workerd) if (p.role === "runtime") total += rssBytes(p.pid) ?? 0;
  return total;
}

export async function stopSystem(system) {
  if (!running.has(system)) return;
  running.delete(system);
  if (system.exited) return;
  try {
    process.kill(-system.pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + 5_000;
  while (!system.exited && Date.now() < deadline) await sleep(100);
  try {
    process.kill(-system.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Synchronous best effort for exit paths: SIGTERM then SIGKILL every group we started. */
export function killAllSync() {
  for (const system of running) {
    for (const signal of ["SIGTERM", "SIGKILL"]) {
      try {
        process.kill(-system.pid, signal);
      } catch {
        // already gone
      }
    }
  }
  running.clear();
}

export async function stopAll() {
  await Promise.all([...running].map(stopSystem));
}
