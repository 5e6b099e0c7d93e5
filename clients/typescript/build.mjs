// Bundles the client into one dependency-free ES module for plain JavaScript on Node 20+, Deno, Bun
// and browsers-alike runtimes: `npm run client:build` -> clients/typescript/dist/vigil-client.mjs.
// TypeScript users import src/index.ts directly (the event types come from the Worker's schemas).
import { build } from "esbuild";

const dir = new URL(".", import.meta.url).pathname;
await build({
  entryPoints: [`${dir}src/index.ts`],
  outfile: `${dir}dist/vigil-client.mjs`,
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  legalComments: "none",
  // Generated output: linted as its TypeScript source, not as this bundle.
  banner: { js: "/* eslint-disable */\n// Built by `npm run client:build` from clients/typescript/src: do not edit." },
  logLevel: "warning",
});
