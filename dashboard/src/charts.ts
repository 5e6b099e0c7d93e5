// Charts as plain SVG built from numbers: a bar chart for counts per day. Labels are Text nodes.
import { h, s } from "./dom.ts";

export interface Bar {
  /** Shown under the bar and in its tooltip, e.g. "2026-11-24". */
  label: string;
  value: number;
  /** Drawn as a dot over the bar (e.g. new groups that day). */
  marker?: number;
}

export interface BarChartOptions {
  title: string;
  valueName: string;
  markerName?: string;
  height?: number;
}

/** Nice upper bound for the axis: 1, 2 or 5 times a power of ten. */
function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

export function barChart(bars: readonly Bar[], options: BarChartOptions): HTMLElement {
  const width = 640;
  const height = options.height ?? 180;
  const pad = { top: 12, right: 8, bottom: 24, left: 36 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = niceMax(Math.max(0, ...bars.map((b) => Math.max(b.value, b.marker ?? 0))));
  const slot = plotW / Math.max(bars.length, 1);
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": options.title });
  for (const tick of [0, max / 2, max]) {
    svg.append(
      s("line", { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick), class: "grid" }),
      s("text", { x: pad.left - 6, y: y(tick) + 4, class: "axis", "text-anchor": "end" }, Number.isInteger(tick) ? String(tick) : tick.toFixed(1)),
    );
  }
  const labelEvery = Math.ceil(bars.length / 8);
  bars.forEach((b, i) => {
    const x = pad.left + i * slot + (slot - barW) / 2;
    const tooltip = `${b.label}: ${b.value} ${options.valueName}${b.marker !== undefined ? `, ${b.marker} ${options.markerName ?? ""}` : ""}`;
    const bar = s("rect", { x, y: y(b.value), width: barW, height: Math.max(0, pad.top + plotH - y(b.value)), rx: 2, class: b.value > 0 ? "bar" : "bar empty" }, s("title", {}, tooltip));
    svg.append(bar);
    if (b.marker) svg.append(s("circle", { cx: x + barW / 2, cy: y(b.marker), r: 4, class: "marker" }, s("title", {}, tooltip)));
    // Counted back from the last bar (today), so the newest day always has its label.
    if ((bars.length - 1 - i) % labelEvery === 0) {
      svg.append(s("text", { x: x + barW / 2, y: height - 6, class: "axis", "text-anchor": "middle" }, b.label.slice(5)));
    }
  });
  const legend = h(
    "div",
    { class: "legend" },
    h("span", { class: "swatch bar" }),
    options.valueName,
    options.markerName ? [h("span", { class: "swatch marker" }), options.markerName] : null,
  );
  return h("figure", { class: "chart-figure" }, svg, legend);
}
