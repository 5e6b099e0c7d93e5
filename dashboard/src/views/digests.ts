// Digests: the latest daily and weekly digests the hourly cron built (new groups, regressions, the
// busiest groups, fix-loop latency, ingest health).
import type { Ctx } from "../context.ts";
import type { Child } from "../dom.ts";
import { h } from "../dom.ts";
import { count, label, seconds, when } from "../format.ts";
import { card, keyValues, pageHeader, severityBadge, table } from "../ui.ts";

interface GroupLine {
  id: string;
  failure_class: string;
  signature: string;
  severity: string;
  occurrences: number;
}

interface Digest {
  kind: string;
  period: { start: string; end: string };
  new_groups: { count: number; top: GroupLine[] };
  regressions: GroupLine[];
  top_by_occurrences: GroupLine[];
  loop_latency: Record<"7d" | "30d", { loops: number; p50_seconds: number | null; p90_seconds: number | null }>;
  ingest_health: { accepted: number; rejected: number; duplicates: number; ignored: number };
}

function groupLines(lines: GroupLine[], empty: string): HTMLElement {
  return table(
    ["Severity", "Group", "Occurrences"],
    lines.map((g) => [severityBadge(g.severity), h("a", { href: `#/groups/${encodeURIComponent(g.id)}`, class: "signature-link" }, `${label(g.failure_class)}: ${g.signature}`), h("span", { class: "num" }, count(g.occurrences))]),
    { empty, className: "compact" },
  );
}

export async function digestsView(ctx: Ctx): Promise<Child> {
  const { digests } = await ctx.api.get<{ digests: Digest[] }>("/v1/digests", { limit: 10 });
  return [
    pageHeader("Digests", "Built every hour for the last whole day and week; also sent to digest webhooks."),
    digests.length === 0
      ? card(null, h("div", { class: "empty" }, "No digests yet. The hourly cron builds the first one after a whole UTC day with activity."))
      : digests.map((d) =>
          h(
            "section",
            { class: "card digest", data: { test: "digest" } },
            h("h2", { class: "card-title" }, `${label(d.kind)} digest`, h("span", { class: "muted small" }, ` ${when(d.period.start)} → ${when(d.period.end)}`)),
            h(
              "div",
              { class: "grid-2" },
              h("div", {}, h("h3", {}, `New groups (${count(d.new_groups.count)})`), groupLines(d.new_groups.top, "None."), h("h3", {}, `Regressions (${d.regressions.length})`), groupLines(d.regressions, "None.")),
              h(
                "div",
                {},
                h("h3", {}, "Busiest groups"),
                groupLines(d.top_by_occurrences, "None."),
                keyValues([
                  ["Fix loop p50 (7 d)", seconds(d.loop_latency["7d"].p50_seconds)],
                  ["Fix loop p90 (7 d)", seconds(d.loop_latency["7d"].p90_seconds)],
                  ["Events accepted", count(d.ingest_health.accepted)],
                  ["Rejected / duplicates", `${count(d.ingest_health.rejected)} / ${count(d.ingest_health.duplicates)}`],
                ]),
              ),
            ),
          ),
        ),
  ];
}
