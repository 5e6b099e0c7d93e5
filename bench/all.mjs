// `npm run bench`: the ingest bench (run.mjs) with the options given, then the extras (scanner
// cost, OTLP beside native, a hot project among many), which take no options.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const run = (script, argv) => spawnSync(process.execPath, [join(here, script), ...argv], { stdio: "inherit" }).status ?? 1;
const status = run("run.mjs", args);
if (status !== 0 || args.some((a) => a === "--help" || a === "-h")) process.exit(status);
process.exit(run("extras.mjs", []));
