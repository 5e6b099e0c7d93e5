// tool_schema_drift: a tool's result shape (paths with value types, keys sorted, recursively)
// differs from the project's dominant shape for that tool, once that shape holds a `majority`
// (default 2/3) of at least `min_prior_calls` (default 10) earlier calls. Only added paths:
// `compatible`; any removed or retyped path: `breaking`. The finding names the paths.
import { cleanSignaturePart, hash53 } from "../../execution/detectors/text.ts";
import type { ProjectDetector } from "./types.ts";
import { signalsOfKind } from "./types.ts";

/** Distinct shapes remembered per tool: beyond this a tool has no dominant shape worth guarding. */
const MAX_SHAPES_PER_TOOL = 32;
const MAX_LISTED_PATHS = 10;

export function diffShapes(dominant: Record<string, string>, current: Record<string, string>) {
  const added = Object.keys(current).filter((p) => !(p in dominant)).sort();
  const removed = Object.keys(dominant).filter((p) => !(p in current)).sort();
  const retyped = Object.keys(current).filter((p) => p in dominant && dominant[p] !== current[p]).sort();
  return { added, removed, retyped };
}

export const toolSchemaDriftDetector: ProjectDetector = {
  failureClass: "tool_schema_drift",
  kinds: ["tool_result"],
  observe(signals, ctx) {
    const settings = ctx.settings.tool_schema_drift;
    // Each tool's shapes are read once per request and kept current in memory while its signals
    // are judged in order; the counts are written back once per (tool, shape) at the end.
    const byTool = new Map<string, { shape_key: string; shape: string; calls: number; added: number; first_ts: number }[]>();
    for (const s of signalsOfKind(signals, "tool_result")) {
      // Already canonical (paths sorted): the form stored in tool_shapes, hashed for its key.
      const shapeJson = s.shape;
      const key = hash53(shapeJson);
      let shapes = byTool.get(s.tool);
      if (!shapes) {
        shapes = ctx.sql
          .exec<{ shape_key: string; shape: string; calls: number }>("SELECT shape_key, shape, calls FROM tool_shapes WHERE tool = ?", s.tool)
          .toArray()
          .map((r) => ({ ...r, added: 0, first_ts: s.ts }));
        byTool.set(s.tool, shapes);
      }
      const total = shapes.reduce((n, r) => n + r.calls, 0);
      const dominant = shapes.reduce<(typeof shapes)[number] | null>((best, r) => (!best || r.calls > best.calls ? r : best), null);
      if (dominant && total >= settings.min_prior_calls && dominant.calls >= settings.majority * total && dominant.shape_key !== key) {
        const current = JSON.parse(shapeJson) as Record<string, string>;
        const diff = diffShapes(JSON.parse(dominant.shape) as Record<string, string>, current);
        const breaking = diff.removed.length > 0 || diff.retyped.length > 0;
        ctx.emit({
          signature: `${cleanSignaturePart(s.tool, 96)}:${breaking ? "breaking" : "compatible"}`,
          execution_id: s.execution_id,
          ts: s.ts,
          severity: breaking ? "high" : "low",
          detail: {
            tool: s.tool,
            added: diff.added.slice(0, MAX_LISTED_PATHS),
            removed: diff.removed.slice(0, MAX_LISTED_PATHS),
            retyped: diff.retyped.slice(0, MAX_LISTED_PATHS).map((p) => `${p}: ${JSON.parse(dominant.shape)[p]} -> ${current[p]}`),
            dominant_share: Math.round((dominant.calls / total) * 1000) / 1000,
            prior_calls: total,
          },
        });
      }
      const known = shapes.find((r) => r.shape_key === key);
      if (known) {
        known.calls++;
        known.added++;
      } else if (shapes.length < MAX_SHAPES_PER_TOOL) {
        shapes.push({ shape_key: key, shape: shapeJson, calls: 1, added: 1, first_ts: s.ts });
      }
    }
    for (const [tool, shapes] of byTool) {
      for (const r of shapes) {
        if (r.added === 0) continue;
        ctx.sql.exec(
          `INSERT INTO tool_shapes (tool, shape_key, shape, calls, first_ts) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tool, shape_key) DO UPDATE SET calls = calls + excluded.calls`,
          tool,
          r.shape_key,
          r.shape,
          r.added,
          r.first_ts,
        );
      }
    }
  },
};
