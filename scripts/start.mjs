// `npm start`: applies local D1 migrations, seeds the dev project and keys (spec section 2), serves
// the API on $PORT (default 8787) and the dashboard on $DASHBOARD_PORT (default 8788). Installs
// nothing. Ctrl-C stops every child it started.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDashboard } from "../dashboard/build.mjs";

const PORT = process.env.PORT ?? "8787";
const DASHBOARD_PORT = process.env.DASHBOARD_PORT ?? "8788";
// Local state (D1 and Durable Objects); VIGIL_STATE_DIR lets several instances run side by side.
const STATE = process.env.VIGIL_STATE_DIR ? ["--persist-to", process.env.VIGIL_STATE_DIR] : [];
const ADMIN_TOKEN = process.env.ADMIN_TOKEN ?? "dev-admin-token";
export const DEV_PROJECT = { id: "dev", name: "Local development" };
export const DEV_KEYS = { ingest: "vk_dev_ingest_local_only", read: "vk_dev_read_local_only" };
const API_URL = `http://127.0.0.1:${PORT}`;
const DASHBOARD_URL = `http://127.0.0.1:${DASHBOARD_PORT}`;
// The API lets the dashboard's origin call it (CORS), on whichever port it runs.
const DASHBOARD_ORIGINS = `${DASHBOARD_URL},http://localhost:${DASHBOARD_PORT}`;

const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };

function run(args, label) {
  const result = spawnSync("wrangler", args, { stdio: ["ignore", "pipe", "pipe"], env, encoding: "utf8" });
  if (result.status !== 0) {
    console.error(`vigil: ${label} failed\n${result.stdout}\n${result.stderr}`);
    process.exit(result.status ?? 1);
  }
}

const sha256 = (s) => createHash("sha256").update(s).digest("hex");

console.log("vigil: applying local D1 migrations");
run(["d1", "migrations", "apply", "DB", "--local", ...STATE], "migrations");

console.log("vigil: seeding the dev project");
const now = Date.now();
const seed = [
  `INSERT OR IGNORE INTO projects (id, name, created_at, settings) VALUES ('${DEV_PROJECT.id}', '${DEV_PROJECT.name}', ${now}, '{}');`,
  ...Object.entries(DEV_KEYS).map(
    ([scope, key]) =>
      `INSERT OR IGNORE INTO api_keys (key_hash, project_id, scope, key_prefix, created_at) VALUES ('${sha256(key)}', '${DEV_PROJECT.id}', '${scope}', '${key.slice(0, 12)}', ${now});`,
  ),
].join("\n");
const seedFile = join(mkdtempSync(join(tmpdir(), "vigil-")), "seed.sql");
writeFileSync(seedFile, seed);
run(["d1", "execute", "DB", "--local", ...STATE, "--file", seedFile], "seeding");

console.log("vigil: building the dashboard");
await buildDashboard({ apiBase: API_URL });

const children = [];
function start(args, name) {
  const child = spawn("wrangler", args, { stdio: "inherit", env: { ...env, CI: undefined }, detached: true });
  child.on("exit", (code) => {
    console.log(`vigil: ${name} exited (${code ?? "signal"})`);
    shutdown(code ?? 0);
  });
  children.push(child);
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  setTimeout(() => process.exit(code), 500);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

start(
  [
    "dev",
    "--port",
    PORT,
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    "0",
    ...STATE,
    "--var",
    `ADMIN_TOKEN:${ADMIN_TOKEN}`,
    "--var",
    `DASHBOARD_ORIGINS:${DASHBOARD_ORIGINS}`,
    "--show-interactive-dev-session=false",
  ],
  "API",
);
// The dashboard has its own config (static assets only): the root wrangler.toml is the API's.
// Its own inspector port too, or the two servers race for 9229; and its own corner of the state
// directory, so instances side by side share nothing.
const DASHBOARD_STATE = process.env.VIGIL_STATE_DIR ? ["--persist-to", join(process.env.VIGIL_STATE_DIR, "dashboard")] : [];
start(
  ["dev", "-c", "dashboard/wrangler.toml", "--port", DASHBOARD_PORT, "--ip", "127.0.0.1", "--inspector-port", "0", ...DASHBOARD_STATE, "--show-interactive-dev-session=false"],
  "dashboard",
);

console.log(`
vigil: API       ${API_URL}
vigil: dashboard ${DASHBOARD_URL}
vigil: project   ${DEV_PROJECT.id}
vigil: ingest    ${DEV_KEYS.ingest}
vigil: read      ${DEV_KEYS.read}
vigil: admin     ${ADMIN_TOKEN}
`);
