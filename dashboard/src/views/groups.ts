// Groups: filter by class, status, severity and time, search signatures, and page with the API's
// keyset cursor (each page is one index range scan however many groups there are). Filters live in
// the URL, so a filtered list can be shared and the browser's back button pages back.
import type { Ctx } from "../context.ts";
import type { Child } from "../dom.ts";
import { h } from "../dom.ts";
import { ago, count, FAILURE_CLASSES, label, SEVERITIES, STATUSES, when } from "../format.ts";
import type { Group } from "../types.ts";
import { card, pageHeader, severityBadge, statusBadge, table } from "../ui.ts";

const RANGES: [string, string, number][] = [
  ["", "Any time", 0],
  ["24h", "Last 24 hours", 24],
  ["7d", "Last 7 days", 24 * 7],
  ["30d", "Last 30 days", 24 * 30],
  ["90d", "Last 90 days", 24 * 90],
];
const PAGE_SIZE = 50;
const FILTERS = ["q", "failure_class", "status", "severity", "range"] as const;

function select(name: string, current: string, options: readonly (readonly [string, string])[]): HTMLSelectElement {
  const el = h("select", { name, id: `filter-${name}` }, options.map(([value, text]) => h("option", { value, selected: value === current }, text)));
  el.value = current;
  return el;
}

export async function groupsView(ctx: Ctx, _params: string[], query: URLSearchParams): Promise<Child> {
  const get = (k: string) => query.get(k) ?? "";
  const range = RANGES.find(([id]) => id === get("range"));
  const since = range && range[2] > 0 ? new Date(Date.now() - range[2] * 3_600_000).toISOString() : undefined;
  const page = Math.max(1, Number(get("page")) || 1);
  const limit = Math.min(200, Math.max(1, Number(get("limit")) || PAGE_SIZE));
  const result = await ctx.api.get<{ groups: Group[]; next_cursor: string | null }>("/v1/groups", {
    q: get("q"),
    failure_class: get("failure_class"),
    status: get("status"),
    severity: get("severity"),
    since,
    cursor: get("cursor"),
    limit,
  });

  const search = h("input", { type: "search", name: "q", id: "filter-q", value: get("q"), placeholder: "Search signatures and classes", spellcheck: false });
  const form = h(
    "form",
    { class: "filters", data: { test: "filters" } },
    h("div", { class: "filter-search" }, search),
    select("failure_class", get("failure_class"), [["", "All classes"], ...FAILURE_CLASSES.map((c) => [c, label(c)] as const)]),
    select("status", get("status"), [["", "All statuses"], ...STATUSES.map((s) => [s, label(s)] as const)]),
    select("severity", get("severity"), [["", "All severities"], ...SEVERITIES.map((s) => [s, label(s)] as const)]),
    select(
      "range",
      get("range"),
      RANGES.map(([id, text]) => [id, text] as const),
    ),
    h("button", { type: "submit", class: "btn" }, "Apply"),
  );
  const apply = () => {
    const next = new URLSearchParams();
    const data = new FormData(form);
    // The page size is kept; the cursor is not (new filters start from the first page).
    if (get("limit")) next.set("limit", get("limit"));
    for (const key of FILTERS) {
      const v = String(data.get(key) ?? "").trim();
      if (v) next.set(key, v);
    }
    ctx.navigate(`#/groups${next.size ? `?${next}` : ""}`);
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    apply();
  });
  // Selects apply at once; the search box applies on Enter.
  for (const el of form.querySelectorAll("select")) el.addEventListener("change", apply);

  const filtered = FILTERS.some((k) => get(k));
  const pageLink = (cursor: string, n: number) => {
    const next = new URLSearchParams(query);
    next.set("cursor", cursor);
    next.set("page", String(n));
    return `#/groups?${next}`;
  };

  return [
    pageHeader("Groups", "Findings with the same failure class and signature, newest activity first."),
    form,
    card(
      null,
      table(
        ["Severity", "Failure class", "Signature", "Status", "Occurrences", "Executions", "Last seen", "Route"],
        result.groups.map((g) => [
          severityBadge(g.severity),
          label(g.failure_class),
          h("a", { href: `#/groups/${encodeURIComponent(g.id)}`, class: "signature-link", data: { group: g.id } }, g.signature),
          statusBadge(g.status),
          h("span", { class: "num" }, count(g.occurrences)),
          h("span", { class: "num" }, count(g.executions)),
          h("span", { title: when(g.last_seen) }, ago(g.last_seen)),
          g.category,
        ]),
        {
          className: "groups-table",
          empty: filtered
            ? ["No groups match these filters. ", h("a", { href: "#/groups" }, "Clear the filters.")]
            : ["No failure groups yet. Send events (see the README) and they appear here."],
        },
      ),
      h(
        "div",
        { class: "pager", data: { test: "pager" } },
        h("span", { class: "muted" }, `Page ${page}${result.groups.length ? ` · ${result.groups.length} groups` : ""}`),
        h("div", { class: "pager-buttons" }, page > 1 ? h("button", { type: "button", class: "btn", on: { click: () => history.back() } }, "← Previous") : null, result.next_cursor ? h("a", { class: "btn", href: pageLink(result.next_cursor, page + 1), data: { test: "next-page" } }, "Next →") : null),
      ),
    ),
  ];
}
