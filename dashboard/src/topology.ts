// The multi-agent topology as a layered SVG graph: one row per depth from the root execution, each
// node an execution (agent, name, status, its failure groups), edges the parent-child handoffs.
import { h, s } from "./dom.ts";

export interface TopologyGroup {
  id: string;
  failure_class: string;
  signature: string;
  severity: string;
  status: string;
}

export interface TopologyNode {
  execution_id: string;
  name: string | null;
  agent: string | null;
  status: string;
  children: TopologyNode[];
  groups: TopologyGroup[];
}

export interface TopologyView {
  root_execution_id: string;
  nodes: number;
  truncated: boolean;
  tree: TopologyNode;
  handoffs: { execution_id: string; from_agent: string; to_agent: string; child_execution_id: string | null }[];
}

const NODE_W = 184;
const NODE_H = 54;
const GAP_X = 28;
const GAP_Y = 56;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function topologyGraph(view: TopologyView, current: string, open: (executionId: string) => void): HTMLElement {
  const layers: TopologyNode[][] = [];
  const parentOf = new Map<TopologyNode, TopologyNode>();
  const walk = (n: TopologyNode, depth: number) => {
    (layers[depth] ??= []).push(n);
    for (const c of n.children) {
      parentOf.set(c, n);
      walk(c, depth + 1);
    }
  };
  walk(view.tree, 0);
  const widest = Math.max(...layers.map((l) => l.length));
  const width = widest * NODE_W + (widest + 1) * GAP_X;
  const height = layers.length * NODE_H + (layers.length + 1) * GAP_Y - GAP_Y / 2;
  const pos = new Map<TopologyNode, { x: number; y: number }>();
  layers.forEach((layer, depth) => {
    const rowW = layer.length * NODE_W + (layer.length - 1) * GAP_X;
    layer.forEach((n, i) => pos.set(n, { x: (width - rowW) / 2 + i * (NODE_W + GAP_X), y: GAP_Y / 2 + depth * (NODE_H + GAP_Y) }));
  });
  // Drawn at its natural size (scrolls when wider than the card): scaled up, its text would be huge.
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "topology", role: "img", "aria-label": `Agent topology: ${view.nodes} executions` });
  svg.append(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }))));
  for (const [child, parent] of parentOf) {
    const a = pos.get(parent)!;
    const b = pos.get(child)!;
    const x1 = a.x + NODE_W / 2;
    const y1 = a.y + NODE_H;
    const x2 = b.x + NODE_W / 2;
    const y2 = b.y;
    const handoff = view.handoffs.find((x) => x.child_execution_id === child.execution_id);
    svg.append(
      s("path", { d: `M ${x1} ${y1} C ${x1} ${y1 + GAP_Y / 2}, ${x2} ${y2 - GAP_Y / 2}, ${x2} ${y2 - 2}`, class: "edge", "marker-end": "url(#arrow)" }),
    );
    // Labelled just above the child, where sibling labels cannot overlap.
    if (handoff) svg.append(s("text", { x: x2, y: y2 - 10, class: "edge-label", "text-anchor": "middle" }, truncate(`${handoff.from_agent} → ${handoff.to_agent}`, 30)));
  }
  for (const [n, p] of pos) {
    const failing = n.groups.length > 0;
    const g = s("g", { class: `node status-${n.status.replace(/[^a-z_]/g, "")}${n.execution_id === current ? " current" : ""}${failing ? " failing" : ""}`, tabindex: 0, role: "link", "data-execution": n.execution_id });
    g.append(
      s("title", {}, `${n.execution_id}${n.groups.length ? `\n${n.groups.map((x) => `${x.failure_class}: ${x.signature}`).join("\n")}` : ""}`),
      s("rect", { x: p.x, y: p.y, width: NODE_W, height: NODE_H, rx: 8 }),
      s("text", { x: p.x + 12, y: p.y + 21, class: "node-title" }, truncate(n.agent ?? n.name ?? n.execution_id, 22)),
      s("text", { x: p.x + 12, y: p.y + 40, class: "node-sub" }, truncate(`${n.status} · ${n.execution_id}`, 28)),
    );
    if (failing) {
      g.append(
        s("circle", { cx: p.x + NODE_W - 16, cy: p.y + 16, r: 9, class: "badge" }),
        s("text", { x: p.x + NODE_W - 16, y: p.y + 20, class: "badge-text", "text-anchor": "middle" }, String(n.groups.length)),
      );
    }
    g.addEventListener("click", () => open(n.execution_id));
    g.addEventListener("keydown", (e) => {
      if (e.key === "Enter") open(n.execution_id);
    });
    svg.append(g);
  }
  return h(
    "div",
    { class: "topology-wrap" },
    svg,
    view.truncated ? h("p", { class: "muted" }, "The tree is larger than Vigil reads at once; deeper executions are not shown.") : null,
  );
}
