// Summarizes a V8 CPU profile of the Worker isolate: self time by original source file (through
// the bundle's source map) and by function, so a bench run can say where Vigil's time goes.
import { readFileSync } from "node:fs";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Decodes a source map's mappings into, per generated line, sorted [column, sourceIndex] pairs. */
function decodeMappings(mappings) {
  const lines = [];
  // Only the generated column and the source index matter here (which file, not which line).
  let source = 0;
  for (const lineText of mappings.split(";")) {
    const segments = [];
    let col = 0;
    if (lineText) {
      for (const seg of lineText.split(",")) {
        if (!seg) continue;
        const values = [];
        let value = 0;
        let shift = 0;
        for (const ch of seg) {
          const digit = B64_INDEX.get(ch);
          value += (digit & 31) << shift;
          if (digit & 32) shift += 5;
          else {
            values.push(value & 1 ? -(value >>> 1) : value >>> 1);
            value = 0;
            shift = 0;
          }
        }
        col += values[0];
        if (values.length >= 4) {
          source += values[1];
          segments.push([col, source]);
        }
      }
    }
    lines.push(segments);
  }
  return lines;
}

export function loadSourceMap(path) {
  try {
    const map = JSON.parse(readFileSync(path, "utf8"));
    return { sources: map.sources.map(cleanSource), lines: decodeMappings(map.mappings) };
  } catch {
    return null;
  }
}

/** "../../node_modules/zod/v4/core/schemas.js" -> "node_modules/zod/v4/core/schemas.js" */
function cleanSource(source) {
  const s = source.replace(/^webpack:\/\/\//, "").replace(/\\/g, "/");
  const nm = s.lastIndexOf("node_modules/");
  if (nm >= 0) return s.slice(nm);
  const floors = s.lastIndexOf("bench/floors/");
  if (floors >= 0) return s.slice(floors);
  return s.replace(/^(\.\.\/)+/, "").replace(/^\.\//, "");
}

function sourceAt(map, line, column) {
  const segments = map?.lines[line];
  if (!segments || segments.length === 0) return null;
  let found = null;
  for (const [col, src] of segments) {
    if (col > column) break;
    found = src;
  }
  return found === null ? map.sources[segments[0][1]] : map.sources[found];
}

/** A package or a directory of ours: "zod", "hono", "workers/ingest", "durable-objects/execution/detectors". */
export function areaOf(file) {
  if (!file) return "(unknown)";
  if (file.startsWith("(")) return file;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (nm) return nm[1];
  const parts = file.split("/");
  return parts.slice(0, Math.max(1, parts.length - 1)).join("/");
}

/** The most one sample may stand for; under load samples come every 0.5 to 11 ms (p99). */
const MAX_SAMPLE_US = 25_000;

/**
 * Self time by source file, by area and by function. `bundleName` is the bundle's file name (the
 * profile's script URL ends with it); other scripts keep their URL.
 */
export function summarizeProfile(profile, map, bundleName) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? timeDeltas[i] ?? 0;
    // A gap far beyond the sampling interval is the profiler not sampling (the isolate waiting
    // between requests), not the sample's function running: hundred-millisecond gaps after a
    // D1 flush once made that flush look like a fifth of all CPU.
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.min(Math.max(0, dt), MAX_SAMPLE_US));
  }
  // Shares are of busy time: samples in which the isolate was idle are left out.
  let idleUs = 0;
  for (const [id, us] of selfUs) if (byId.get(id)?.callFrame.functionName === "(idle)") idleUs += us;
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0) - idleUs;
  const files = new Map();
  const areas = new Map();
  const functions = new Map();
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    let file;
    if (!url) file = functionName.startsWith("(") ? functionName : "(native)";
    else if (map && bundleName && url.endsWith(bundleName)) file = sourceAt(map, lineNumber, columnNumber) ?? url;
    else file = url.replace(/^.*\//, "");
    add(files, file, us);
    add(areas, areaOf(file), us);
    add(functions, `${functionName || "(anonymous)"}  ${file}`, us);
  }
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1e3), share: totalUs ? us / totalUs : 0 }));
  return { totalMs: Math.round(totalUs / 1e3), idleMs: Math.round(idleUs / 1e3), samples: samples.length, areas: top(areas, 15), files: top(files, 20), functions: top(functions, 25) };
}
