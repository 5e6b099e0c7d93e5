// Overview: what needs a person now (the most severe groups first, with one obvious next click),
// open groups by class and severity, the daily trend, fix-loop latency and ingest health.
import { barChart } from "../charts.ts";
import type { Ctx } from "../context.ts";
import type { Child } from "../dom.ts";
import { h } from "../dom.ts";
import { ago, count, duration, label, plural, seconds, SEVERITIES } from "../format.ts";
import type { Group } from "../types.ts";
import { card, mono, notice, pageHeader, severityBadge, stat, statusBadge, table } from "../ui.ts";

interface Overview {
  window: { days: number };
  open_groups: { total: number; by_severity: Record<string, number>; by_class: ({ failure_class: string; total: number } & Record<string, number | string>)[] };
  next_up: Group[];
  groups_by_status: Record<string, number>;
  daily: { day: string; occurrences: number; executions: number; new_groups: number }[];
}

interface LoopWindow {
  overall: { loops: number; p50_seconds: number | null; p90_seconds: number | null };
}

interface IngestHealth {
  hours: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  ignored: number;
  rejected_by_code: Record<string, number>;
}

interface Failures {
  executions: { total: number; by_status: Record<string, number>; mean_duration_ms: number | null };
}

export async function overviewView(ctx: Ctx): Promise<Child> {
  const [overview, latency, health, failures] = await Promise.all([
    ctx.api.get<Overview>("/v1/overview", { days: 14 }),
    ctx.api.get<{ windows: Record<"7d" | "30d", LoopWindow> }>("/v1/analytics/loop-latency"),
    ctx.api.get<IngestHealth>("/v1/ingest/health", { hours: 24 }),
    ctx.api.get<Failures>("/v1/analytics/failures", { hours: 24 }),
  ]);
  const open = overview.open_groups;
  const regressed = overview.groups_by_status.regressed ?? 0;
  const totalGroups = Object.values(overview.groups_by_status).reduce((a, b) => a + b, 0);
  const first = overview.next_up[0];

  const primary = first
    ? h("a", { class: "btn btn-primary", href: `#/groups/${encodeURIComponent(first.id)}`, data: { test: "next-action" } }, "Triage the most severe group →")
    : null;

  if (totalGroups === 0) {
    return [
      pageHeader("Overview", "Nothing has failed yet."),
      card(
        "Send your first events",
        h("p", {}, "Vigil groups failures as your agents report them. Send the README's example event and it shows up here within a second:"),
        h(
          "pre",
          {},
          `curl -s ${ctx.session.apiBase}/v1/events -H 'authorization: Bearer <ingest key>' \\\n  -H 'content-type: application/json' -d '{"events": [\n  {"id": "e1", "type": "tool_call", "execution_id": "run-1", "tool": "search_flights",\n   "status": "failed", "error": {"type": "TimeoutError"}}]}'`,
        ),
      ),
    ];
  }

  const sevCells = (counts: Record<string, number | string>, failureClass?: string) =>
    SEVERITIES.map((sev) => {
      const n = Number(counts[sev] ?? 0);
      if (n === 0) return h("span", { class: "muted" }, "·");
      const query = new URLSearchParams({ severity: sev, ...(failureClass ? { failure_class: failureClass } : {}) });
      return h("a", { href: `#/groups?${query}`, class: `count sev-text-${sev}` }, count(n));
    });

  return [
    pageHeader("Overview", `${count(open.total)} groups need attention · last ${overview.window.days} days`, primary),
    h(
      "div",
      { class: "stats" },
      stat("Needs attention", count(open.total), h("span", { class: "sev-row" }, SEVERITIES.map((s) => (open.by_severity[s] ? h("span", { class: `pill sev-${s}` }, `${open.by_severity[s]} ${s}`) : null))), open.total > 0 ? "warn" : "good"),
      stat("Regressed", count(regressed), "failing again after the fix shipped", regressed > 0 ? "bad" : undefined),
      stat(
        "Fix loop (7 days)",
        latency.windows["7d"].overall.p50_seconds === null ? "–" : seconds(latency.windows["7d"].overall.p50_seconds),
        latency.windows["7d"].overall.loops > 0
          ? `p50 · p90 ${seconds(latency.windows["7d"].overall.p90_seconds)} · ${plural(latency.windows["7d"].overall.loops, "fix")} shipped`
          : "observed → fix shipped; no fix shipped yet",
      ),
      stat(
        "Ingest (24 h)",
        count(health.accepted),
        h("span", { data: { test: "ingest-health" } }, `accepted · ${count(health.rejected)} rejected · ${count(health.duplicates)} duplicates`),
        health.rejected > 0 ? "bad" : undefined,
      ),
      stat("Runs (24 h)", count(failures.executions.total), `${count(failures.executions.by_status.failed ?? 0)} failed · ${count(failures.executions.by_status.running ?? 0)} running · mean ${duration(failures.executions.mean_duration_ms)}`),
    ),
    h(
      "div",
      { class: "grid-2" },
      card(
        "Next up",
        overview.next_up.length === 0
          ? h("div", { class: "empty" }, "Nothing needs attention. Resolved and archived groups are in ", h("a", { href: "#/groups" }, "Groups"), ".")
          : h(
              "ol",
              { class: "next-up", data: { test: "next-up" } },
              overview.next_up.map((g) =>
                h(
                  "li",
                  {},
                  h(
                    "a",
                    { href: `#/groups/${encodeURIComponent(g.id)}`, class: "next-up-item" },
                    h("div", { class: "next-up-head" }, severityBadge(g.severity), h("span", { class: "class-name" }, label(g.failure_class)), statusBadge(g.status)),
                    h("div", { class: "signature" }, g.signature),
                    h("div", { class: "muted small" }, `${plural(g.occurrences, "occurrence")} in ${plural(g.executions, "execution")} · last ${ago(g.last_seen)} · route: ${g.category}`),
                  ),
                ),
              ),
            ),
      ),
      card(
        "Occurrences per day",
        barChart(
          overview.daily.map((d) => ({ label: d.day, value: d.occurrences, marker: d.new_groups })),
          { title: "Finding occurrences per day", valueName: "occurrences", markerName: "new groups", height: 220 },
        ),
      ),
    ),
    card(
      "Open groups by class and severity",
      table(
        ["Failure class", ...SEVERITIES.map(label), "Total"],
        open.by_class.map((c) => [
          h("a", { href: `#/groups?${new URLSearchParams({ failure_class: c.failure_class })}` }, mono(c.failure_class)),
          ...sevCells(c, c.failure_class),
          h("strong", {}, count(c.total)),
        ]),
        { empty: "No open groups.", className: "matrix" },
      ),
    ),
    Object.keys(health.rejected_by_code).length > 0
      ? notice("warn", "Rejected events in the last 24 h by reason: ", Object.entries(health.rejected_by_code).map(([code, n], i) => [i ? ", " : "", mono(code), ` ${n}`]))
      : null,
  ];
}
