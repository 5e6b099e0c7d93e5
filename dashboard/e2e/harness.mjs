// Runs a real `npm start` for the end-to-end tests: free ports, a fresh state directory, and a stop
// that takes down the whole process group (start.mjs and the two wrangler dev servers it starts),
// also when a test fails or the runner is interrupted.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "../..");

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url, deadline, isAlive) {
  for (;;) {
    if (!isAlive()) throw new Error(`npm start exited before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer in time`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function startVigil({ timeoutMs = 120_000 } = {}) {
  const [port, dashboardPort] = [await freePort(), await freePort()];
  const stateDir = mkdtempSync(join(tmpdir(), "vigil-e2e-state-"));
  const log = [];
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: REPO,
    // npm scripts put node_modules/.bin (wrangler, Node 22) first on PATH; so does this, for direct runs.
    env: { ...process.env, PORT: String(port), DASHBOARD_PORT: String(dashboardPort), VIGIL_STATE_DIR: stateDir, PATH: `${join(REPO, "node_modules/.bin")}:${process.env.PATH}` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout.on("data", (d) => log.push(String(d)));
  child.stderr.on("data", (d) => log.push(String(d)));
  let exited = false;
  const exit = new Promise((resolve) => child.on("exit", () => resolve((exited = true))));
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  // A runner killed mid-test must not leave servers behind.
  const onExit = () => killGroup("SIGKILL");
  process.once("exit", onExit);

  const stop = async () => {
    process.off("exit", onExit);
    if (!exited) {
      killGroup("SIGTERM");
      const timer = setTimeout(() => killGroup("SIGKILL"), 10_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  const api = `http://127.0.0.1:${port}`;
  const dashboard = `http://127.0.0.1:${dashboardPort}`;
  try {
    const deadline = Date.now() + timeoutMs;
    await waitFor(`${api}/health`, deadline, () => !exited);
    await waitFor(`${dashboard}/`, deadline, () => !exited);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- npm start output ---\n${log.join("").slice(-4000)}`, { cause: error });
  }
  return { api, dashboard, stop, log };
}
