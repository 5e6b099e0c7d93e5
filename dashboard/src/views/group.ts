// Group detail: the triage controls first (the page's primary action), then what to do (the
// playbook), why these findings are one group, its occurrences over time, the affected executions,
// its remediation route and its history. With a read key the controls are shown disabled, with why.
import { ApiError } from "../api.ts";
import { barChart } from "../charts.ts";
import type { Ctx } from "../context.ts";
import { NEEDS_ADMIN } from "../context.ts";
import type { Child } from "../dom.ts";
import { h } from "../dom.ts";
import type { GroupStatus } from "../format.ts";
import { ago, ALLOWED_TRANSITIONS, CATEGORIES, count, label, plural, when } from "../format.ts";
import { renderMarkdown } from "../markdown.ts";
import type { Group, GroupDetail } from "../types.ts";
import { actionButton, card, keyValues, mono, notice, pageHeader, severityBadge, statusBadge, table } from "../ui.ts";

const ACTOR_KEY = "vigil.actor";
/** A message from the last change, shown once after the page re-renders. */
let flash: { groupId: string; text: string } | null = null;

const TRANSITIONS: Partial<Record<GroupStatus, [button: string, done: string]>> = {
  acknowledged: ["Acknowledge", "Acknowledged."],
  fix_in_progress: ["Fix in progress", "Marked fix in progress."],
  resolved: ["Resolve", "Resolved."],
  open: ["Reopen", "Reopened."],
};

function valueText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

export async function groupView(ctx: Ctx, [id]: string[]): Promise<Child> {
  const groupId = id!;
  const [detail, occurrences, releases] = await Promise.all([
    ctx.api.get<GroupDetail>(`/v1/groups/${encodeURIComponent(groupId)}`),
    ctx.api.get<{ daily: { day: string; occurrences: number; executions: number }[] }>(`/v1/groups/${encodeURIComponent(groupId)}/occurrences`, { days: 30 }),
    ctx.api.get<{ releases: { version: string; shipped_at: string }[] }>("/v1/releases").catch(() => ({ releases: [] })),
  ]);
  const g = detail.group;
  const message = flash?.groupId === g.id ? flash.text : null;
  flash = null;

  return [
    h("nav", { class: "crumbs" }, h("a", { href: "#/groups" }, "Groups"), " / ", label(g.failure_class)),
    pageHeader(
      h("span", { class: "signature-title", data: { test: "signature" } }, g.signature),
      h("span", { class: "header-badges" }, severityBadge(g.severity), h("span", { class: "class-name" }, label(g.failure_class)), statusBadge(g.status), h("span", { class: "muted" }, `${plural(g.occurrences, "occurrence")} · ${plural(g.executions, "execution")} · last ${ago(g.last_seen)}`)),
    ),
    h(
      "div",
      { class: "detail-grid" },
      h(
        "div",
        { class: "detail-main" },
        playbookCard(detail),
        card("Occurrences, last 30 days", barChart(occurrences.daily.map((d) => ({ label: d.day, value: d.occurrences })), { title: "Occurrences per day", valueName: "occurrences", height: 150 })),
        card(
          "Affected executions",
          table(
            ["Execution", "Name", "Status", "Occurrences", "Last seen"],
            detail.recent_executions.map((e) => [
              h("a", { href: `#/executions/${encodeURIComponent(e.execution_id)}`, class: "mono", data: { execution: e.execution_id } }, e.execution_id),
              e.name ?? "–",
              e.status ? statusBadge(e.status) : "–",
              h("span", { class: "num" }, count(e.occurrences)),
              h("span", { title: when(e.last_seen) }, ago(e.last_seen)),
            ]),
            { empty: "No executions recorded for this group." },
          ),
          detail.recent_executions.length >= 20 ? h("p", { class: "muted small" }, "The 20 most recent executions.") : null,
        ),
      ),
      h(
        "aside",
        { class: "detail-side" },
        triagePanel(ctx, g, releases.releases, message),
        card(
          "Remediation route",
          h("p", { class: "route" }, h("span", { class: `badge cat cat-${g.category}` }, g.category), " ", g.remediation_route ?? ""),
          h(
            "p",
            { class: "muted small" },
            g.category_override
              ? `Reclassified by ${g.category_override.by ?? "someone"} ${ago(g.category_override.at)}.`
              : `From the failure class: every ${g.failure_class} group goes to ${g.category} first.`,
          ),
        ),
        whyGrouped(g),
        historyCard(detail),
      ),
    ),
  ];
}

function playbookCard(detail: GroupDetail): HTMLElement {
  if (!detail.playbook) return card("Playbook", h("p", { class: "muted" }, "No playbook for this class."));
  const body = h("div", { class: "markdown", data: { test: "playbook" } });
  body.append(renderMarkdown(detail.playbook.markdown));
  return h(
    "section",
    { class: "card playbook" },
    h("div", { class: "card-kicker" }, "Playbook ", mono(detail.playbook.id)),
    h("h2", { class: "card-title" }, detail.playbook.title),
    body,
  );
}

function whyGrouped(g: Group): HTMLElement {
  const detail = g.detail ?? {};
  return card(
    "Why these findings are one group",
    h(
      "p",
      { class: "small" },
      "Vigil groups findings with the same failure class and signature. Every ",
      mono(g.failure_class),
      " finding with the signature ",
      mono(g.signature),
      " lands here, from any execution, so one root cause is one group.",
    ),
    keyValues([
      ["First seen", when(g.first_seen)],
      ["Last seen", when(g.last_seen)],
      ["Occurrences", count(g.occurrences)],
      ["Executions", count(g.executions)],
      ...Object.entries(detail).map(([k, v]) => [`Latest finding: ${k}`, h("span", { class: "mono break" }, valueText(v))] as [string, Child]),
    ]),
  );
}

function historyCard(detail: GroupDetail): HTMLElement {
  return card(
    "History",
    detail.history.length === 0
      ? h("p", { class: "muted small" }, "No triage yet.")
      : h(
          "ol",
          { class: "history", data: { test: "history" } },
          detail.history.map((e) =>
            h(
              "li",
              {},
              h("div", {}, h("strong", {}, e.action === "transition" ? `${label(e.from ?? "")} → ${label(e.to ?? "")}` : label(e.action)), " by ", e.actor),
              h("div", { class: "muted small" }, when(e.at), Object.entries(e.detail).map(([k, v]) => ` · ${k}: ${valueText(v)}`)),
            ),
          ),
        ),
  );
}

function triagePanel(ctx: Ctx, g: Group, releases: { version: string }[], message: string | null): HTMLElement {
  const can = ctx.session.canTriage;
  const status = g.status as GroupStatus;
  const allowed = ALLOWED_TRANSITIONS[status] ?? [];
  const result = h("div", { class: "triage-result" }, message ? notice("success", message) : null);
  const note = h("textarea", { name: "note", rows: 2, placeholder: "Note for the history (optional)", disabled: !can });
  const actor = h("input", { name: "actor", placeholder: "Your name (optional)", value: localStorage.getItem(ACTOR_KEY) ?? "", disabled: !can });

  const patch = async (change: Record<string, unknown>, done: string) => {
    const who = actor.value.trim();
    if (who) localStorage.setItem(ACTOR_KEY, who);
    try {
      await ctx.api.send("PATCH", `/v1/groups/${encodeURIComponent(g.id)}`, { ...change, ...(who ? { actor: who } : {}), ...(note.value.trim() ? { note: note.value.trim() } : {}) });
      flash = { groupId: g.id, text: done };
      ctx.refresh();
    } catch (error) {
      result.replaceChildren(notice("error", error instanceof ApiError ? error.message : String(error)));
    }
  };
  const disabledReason = can ? undefined : NEEDS_ADMIN;

  const transitions = (["acknowledged", "fix_in_progress", "resolved", "open"] as const)
    .filter((to) => allowed.includes(to))
    .map((to, i) =>
      actionButton(TRANSITIONS[to]![0], { class: i === 0 ? "btn btn-primary" : "btn", disabled: !can, title: disabledReason, data: { transition: to } }, () => patch({ status: to }, TRANSITIONS[to]![1])),
    );

  const releaseInput = h("input", { name: "release", list: "releases", placeholder: "e.g. 1.5.0", disabled: !can, spellcheck: false, data: { test: "release-input" } });
  const canResolveInRelease = allowed.includes("resolved") || status === "resolved";
  const releaseForm = h(
    "form",
    { class: "inline-form", data: { test: "resolve-release" } },
    h("label", { for: "release-input" }, "Resolve in a release"),
    h("div", { class: "row" }, releaseInput, h("button", { type: "submit", class: "btn", disabled: !can || !canResolveInRelease, title: disabledReason }, "Resolve in release")),
    h("datalist", { id: "releases" }, releases.map((r) => h("option", { value: r.version }))),
    h("p", { class: "hint" }, "Fix shipped when that release is recorded (POST /v1/releases); a recurrence from it or a later one is a regression."),
  );
  releaseInput.id = "release-input";
  releaseForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const release = releaseInput.value.trim();
    if (!release) {
      result.replaceChildren(notice("error", "Name the release the fix ships in."));
      return;
    }
    await patch({ status: "resolved", release }, `Resolved in release ${release}.`);
  });

  const archiveMode = h("select", { name: "archive", disabled: !can }, h("option", { value: "until_escalation" }, "until it escalates"), h("option", { value: "forever" }, "forever"));
  const archive = h(
    "div",
    { class: "inline-form" },
    h("label", {}, "Archive"),
    h(
      "div",
      { class: "row" },
      archiveMode,
      actionButton("Archive", { class: "btn", disabled: !can || !allowed.includes("archived"), title: disabledReason, data: { transition: "archived" } }, () => patch({ status: "archived", archive: archiveMode.value }, "Archived.")),
    ),
  );

  const category = h("select", { name: "category", disabled: !can }, CATEGORIES.map((c) => h("option", { value: c, selected: c === g.category }, label(c))));
  category.value = g.category;
  const reclassify = h(
    "div",
    { class: "inline-form" },
    h("label", {}, "Reclassify the remediation route"),
    h(
      "div",
      { class: "row" },
      category,
      actionButton("Reclassify", { class: "btn", disabled: !can, title: disabledReason, data: { test: "reclassify" } }, () => patch({ category: category.value }, `Reclassified to ${category.value}.`)),
      g.category_override ? actionButton("Reset", { class: "btn btn-ghost", disabled: !can, title: disabledReason }, () => patch({ category: null }, "Back to the class's route.")) : null,
    ),
  );

  return h(
    "section",
    { class: `card triage${can ? "" : " readonly"}`, data: { test: "triage" } },
    h("h2", { class: "card-title" }, "Triage"),
    h(
      "p",
      { class: "small" },
      "Status ",
      statusBadge(g.status),
      g.resolved_in_release ? [" in release ", mono(g.resolved_in_release), g.fix_shipped_at ? ` (shipped ${ago(g.fix_shipped_at)})` : " (not shipped yet)"] : null,
      g.archive_mode ? ` (${label(g.archive_mode)})` : null,
      g.status_changed_at ? h("span", { class: "muted" }, ` since ${ago(g.status_changed_at)}`) : null,
    ),
    can ? null : notice("info", h("strong", {}, "Read only. "), NEEDS_ADMIN),
    result,
    transitions.length ? h("div", { class: "button-row" }, transitions) : null,
    releaseForm,
    archive,
    reclassify,
    h("div", { class: "inline-form" }, actor, note),
  );
}
