// Builds the dashboard into dashboard/dist: the TypeScript bundled by esbuild, the static files, and
// the two places the API address and the Content-Security-Policy go:
//   - index.html's meta tags (the API address the sign-in screen offers, and the CSP as a fallback),
//   - _headers, which Cloudflare Pages and Workers static assets apply to every response.
// The API address: --api-base <url>, else $VIGIL_API_BASE, else http://127.0.0.1:$PORT (local).
// `node dashboard/build.mjs --production` refuses to build without an explicit API address.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The CSP: scripts only from this origin (no inline script, no eval), the API as the only other connection. */
export function contentSecurityPolicy(apiBase, { meta = false } = {}) {
  const api = new URL(apiBase);
  const local = api.hostname === "127.0.0.1" || api.hostname === "localhost";
  // Locally the API's port is whatever $PORT says; any loopback port is still only this machine.
  const connect = local ? "http://127.0.0.1:* http://localhost:*" : api.origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    // Browsers ignore frame-ancestors in a <meta> policy (and say so in the console): header only.
    ...(meta ? [] : ["frame-ancestors 'none'"]),
  ].join("; ");
}

export async function buildDashboard({ apiBase, outDir = join(here, "dist") } = {}) {
  const base = (apiBase ?? process.env.VIGIL_API_BASE ?? `http://127.0.0.1:${process.env.PORT ?? "8787"}`).replace(/\/+$/, "");
  const csp = contentSecurityPolicy(base);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, "src/main.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: true,
    outfile: join(outDir, "app.js"),
    logLevel: "warning",
  });
  for (const file of ["styles.css", "favicon.svg"]) copyFileSync(join(here, "static", file), join(outDir, file));
  // The API address goes into an attribute value; quoting it keeps a stray character from ending it.
  const attr = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const html = readFileSync(join(here, "static/index.html"), "utf8").replace("%CSP%", attr(contentSecurityPolicy(base, { meta: true }))).replace("%API_BASE%", attr(base));
  writeFileSync(join(outDir, "index.html"), html);
  writeFileSync(
    join(outDir, "_headers"),
    [
      "/*",
      `  Content-Security-Policy: ${csp}`,
      "  X-Content-Type-Options: nosniff",
      "  Referrer-Policy: no-referrer",
      "  X-Frame-Options: DENY",
      "  Permissions-Policy: camera=(), microphone=(), geolocation=()",
      "",
    ].join("\n"),
  );
  return { outDir, apiBase: base, csp };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--api-base");
  const apiBase = i > 0 ? process.argv[i + 1] : undefined;
  if (process.argv.includes("--production") && !apiBase && !process.env.VIGIL_API_BASE) {
    console.error("dashboard: set VIGIL_API_BASE (or --api-base) to the API's URL, e.g. https://vigil.example.workers.dev");
    process.exit(1);
  }
  const { outDir, apiBase: used } = await buildDashboard({ apiBase });
  console.log(`dashboard: built ${outDir} for the API at ${used}`);
}
