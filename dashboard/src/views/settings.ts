// Settings: new keys (shown once), detector thresholds, custom secret patterns, webhooks with their
// delivery log, and releases. Reading needs a read key; every change needs an admin credential.
import type { Ctx } from "../context.ts";
import { NEEDS_ADMIN } from "../context.ts";
import type { Child } from "../dom.ts";
import { h } from "../dom.ts";
import { ago, FAILURE_CLASSES, label, SEVERITIES, when } from "../format.ts";
import type { JsonValue } from "../types.ts";
import { actionButton, card, mono, notice, pageHeader, statusBadge, table } from "../ui.ts";

type Json = { [key: string]: JsonValue };

interface DetectorSettings {
  settings: Json;
  overrides: Json;
  defaults: Json;
}

interface CustomRule {
  id: string;
  pattern: string;
  severity: string;
}

interface Webhook {
  id: string;
  url: string;
  format: string;
  events: string[];
  classes: string[] | null;
  min_severity: string;
}

interface Delivery {
  id: string;
  event: string;
  status: string;
  attempts: number;
  created_at: string;
  delivered_at: string | null;
  last_status: number | null;
  last_error: string | null;
}

/** A message from the last change (a webhook's secret, shown once), shown after the page re-renders. */
let flash: Child = null;

const WEBHOOK_EVENTS = ["group.new", "group.regressed", "group.escalated", "digest.daily", "digest.weekly"];

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isObject(v: JsonValue | undefined): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export async function settingsView(ctx: Ctx): Promise<Child> {
  const [detectors, webhooks, releases] = await Promise.all([
    ctx.api.get<DetectorSettings>("/v1/settings/detectors"),
    ctx.api.get<{ webhooks: Webhook[] }>("/v1/webhooks"),
    ctx.api.get<{ releases: { version: string; shipped_at: string; environment: string | null }[] }>("/v1/releases"),
  ]);
  const can = ctx.session.canTriage;
  const message = flash;
  flash = null;
  return [
    pageHeader("Settings", `Project ${ctx.session.projectId}`),
    message,
    can ? null : notice("info", h("strong", {}, "Read only. "), NEEDS_ADMIN),
    keysCard(ctx),
    thresholdsCard(ctx, detectors),
    customPatternsCard(ctx, detectors),
    webhooksCard(ctx, webhooks.webhooks),
    releasesCard(ctx, releases.releases),
  ];
}

function keysCard(ctx: Ctx): HTMLElement {
  const can = ctx.session.canTriage;
  const scope = h("select", { name: "scope", disabled: !can }, ["read", "ingest", "admin"].map((s) => h("option", { value: s }, `${label(s)} key`)));
  const out = h("div", { class: "key-result" });
  return card(
    "Keys",
    h("p", { class: "small" }, "Read keys read, ingest keys send events, admin keys also triage and change settings. Keys are stored hashed: a new key is shown once."),
    h(
      "div",
      { class: "row" },
      scope,
      actionButton("Create key", { class: "btn btn-primary", disabled: !can, title: can ? undefined : NEEDS_ADMIN, data: { test: "create-key" } }, async () => {
        try {
          const created = await ctx.api.send<{ key: string; scope: string }>("POST", "/v1/keys", { scope: scope.value });
          const value = h("code", { class: "secret", data: { test: "new-key" } }, created.key);
          out.replaceChildren(
            notice(
              "success",
              h("div", {}, h("strong", {}, `New ${created.scope} key. `), "Copy it now: it is shown only once."),
              h("div", { class: "row" }, value, h("button", { type: "button", class: "btn btn-small", on: { click: () => void navigator.clipboard?.writeText(created.key) } }, "Copy")),
            ),
          );
        } catch (error) {
          out.replaceChildren(notice("error", errorText(error)));
        }
      }),
    ),
    out,
  );
}

function thresholdsCard(ctx: Ctx, d: DetectorSettings): HTMLElement {
  const can = ctx.session.canTriage;
  const rows: Child[][] = [];
  for (const [detector, value] of Object.entries(d.settings)) {
    if (detector === "data_leakage") continue; // its own card below
    const entries: [string, JsonValue | undefined, JsonValue | undefined, boolean][] = isObject(value)
      ? Object.entries(value).map(([k, v]) => [k, v, isObject(d.defaults[detector]) ? (d.defaults[detector] as Json)[k] : undefined, isObject(d.overrides[detector]) && k in (d.overrides[detector] as Json)])
      : [["", value, d.defaults[detector], detector in d.overrides]];
    for (const [setting, v, def, overridden] of entries) {
      rows.push([mono(detector), setting ? mono(setting) : "–", h("span", { class: overridden ? "overridden" : "" }, JSON.stringify(v)), h("span", { class: "muted" }, JSON.stringify(def))]);
    }
  }
  const overridesText = JSON.stringify(d.overrides, null, 2);
  const editor = h("textarea", { name: "overrides", rows: Math.min(16, Math.max(3, overridesText.split("\n").length + 1)), spellcheck: false, disabled: !can, class: "code-input", data: { test: "overrides" } });
  editor.value = overridesText;
  const out = h("div");
  return card(
    "Detector thresholds",
    h("p", { class: "small" }, "Defaults apply unless the project overrides them. Changes apply without a deploy, everywhere within 30 s."),
    h("details", {}, h("summary", {}, "All settings in force"), table(["Detector", "Setting", "In force", "Default"], rows, { className: "compact" })),
    h("label", { for: "overrides" }, "Project overrides (JSON; {} returns to the defaults)"),
    editor,
    h(
      "div",
      { class: "row" },
      actionButton("Save overrides", { class: "btn btn-primary", disabled: !can, title: can ? undefined : NEEDS_ADMIN }, async () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(editor.value);
        } catch {
          out.replaceChildren(notice("error", "The overrides are not valid JSON."));
          return;
        }
        try {
          await ctx.api.send("PUT", "/v1/settings/detectors", parsed);
          out.replaceChildren(notice("success", "Saved."));
          ctx.refresh();
        } catch (error) {
          out.replaceChildren(notice("error", errorText(error)));
        }
      }),
    ),
    out,
  );
}

function customPatternsCard(ctx: Ctx, d: DetectorSettings): HTMLElement {
  const can = ctx.session.canTriage;
  const leakage = isObject(d.settings.data_leakage) ? d.settings.data_leakage : {};
  const rules = (Array.isArray(leakage.custom_rules) ? leakage.custom_rules : []) as unknown as CustomRule[];
  const out = h("div");
  const save = async (next: CustomRule[], done: string) => {
    const overrides: Json = { ...d.overrides, data_leakage: { ...(isObject(d.overrides.data_leakage) ? d.overrides.data_leakage : {}), custom_rules: next as unknown as JsonValue } };
    try {
      await ctx.api.send("PUT", "/v1/settings/detectors", overrides);
      ctx.refresh();
      out.replaceChildren(notice("success", done));
    } catch (error) {
      out.replaceChildren(notice("error", errorText(error)));
    }
  };
  const id = h("input", { name: "rule-id", placeholder: "rule id, e.g. acme_token", disabled: !can, spellcheck: false });
  const pattern = h("input", { name: "rule-pattern", placeholder: "pattern, e.g. acme_[a-z0-9]{32}", disabled: !can, spellcheck: false, class: "mono" });
  const severity = h("select", { name: "rule-severity", disabled: !can }, SEVERITIES.map((s) => h("option", { value: s, selected: s === "high" }, s)));
  severity.value = "high";
  return card(
    "Custom secret patterns",
    h("p", { class: "small" }, "Your own secret formats, redacted before storage like the built-in rules. Patterns that could backtrack catastrophically are refused when saved."),
    table(
      ["Id", "Pattern", "Severity", ""],
      rules.map((r) => [mono(r.id), mono(r.pattern), r.severity, actionButton("Remove", { class: "btn btn-ghost btn-small", disabled: !can }, () => save(rules.filter((x) => x.id !== r.id), `Removed ${r.id}.`))]),
      { empty: "No custom patterns." },
    ),
    h(
      "div",
      { class: "row" },
      id,
      pattern,
      severity,
      actionButton("Add pattern", { class: "btn", disabled: !can, title: can ? undefined : NEEDS_ADMIN }, () => save([...rules.filter((x) => x.id !== id.value.trim()), { id: id.value.trim(), pattern: pattern.value, severity: severity.value }], `Added ${id.value.trim()}.`)),
    ),
    out,
  );
}

function webhooksCard(ctx: Ctx, webhooks: Webhook[]): HTMLElement {
  const can = ctx.session.canTriage;
  const log = h("div", { class: "deliveries" });
  const out = h("div");
  const showDeliveries = async (w: Webhook) => {
    try {
      const { deliveries } = await ctx.api.get<{ deliveries: Delivery[] }>(`/v1/webhooks/${encodeURIComponent(w.id)}/deliveries`);
      log.replaceChildren(
        h("h3", {}, "Deliveries to ", mono(w.url)),
        table(
          ["Event", "Status", "Attempts", "Created", "Delivered", "Last answer"],
          deliveries.map((x) => [mono(x.event), statusBadge(x.status), String(x.attempts), h("span", { title: when(x.created_at) }, ago(x.created_at)), x.delivered_at ? ago(x.delivered_at) : "–", x.last_error ?? (x.last_status ? `HTTP ${x.last_status}` : "–")]),
          { empty: "Nothing sent yet." },
        ),
      );
    } catch (error) {
      log.replaceChildren(notice("error", errorText(error)));
    }
  };
  const url = h("input", { name: "webhook-url", type: "url", placeholder: "https://hooks.example.com/vigil", disabled: !can, spellcheck: false });
  const format = h("select", { name: "webhook-format", disabled: !can }, h("option", { value: "json" }, "JSON (signed)"), h("option", { value: "slack" }, "Slack"));
  const minSeverity = h("select", { name: "webhook-severity", disabled: !can }, [...SEVERITIES].reverse().map((s) => h("option", { value: s }, `${s} and above`)));
  const events = WEBHOOK_EVENTS.map((e) => h("input", { type: "checkbox", name: "webhook-event", value: e, checked: e.startsWith("group."), disabled: !can }));
  const classes = h("select", { name: "webhook-class", disabled: !can }, h("option", { value: "" }, "All classes"), FAILURE_CLASSES.map((c) => h("option", { value: c }, label(c))));
  return card(
    "Webhooks",
    h("p", { class: "small" }, "New groups, regressions, escalations and digests, signed with X-Vigil-Signature. Failed deliveries retry for 3 days."),
    table(
      ["URL", "Format", "Events", "Classes", "Min severity", ""],
      webhooks.map((w) => [
        mono(w.url),
        w.format,
        w.events.join(", "),
        w.classes ? w.classes.join(", ") : "all",
        w.min_severity,
        h(
          "div",
          { class: "row" },
          actionButton("Delivery log", { class: "btn btn-small", data: { test: "deliveries" } }, () => showDeliveries(w)),
          actionButton("Delete", { class: "btn btn-ghost btn-small", disabled: !can }, async () => {
            try {
              await ctx.api.send("DELETE", `/v1/webhooks/${encodeURIComponent(w.id)}`);
              ctx.refresh();
            } catch (error) {
              out.replaceChildren(notice("error", errorText(error)));
            }
          }),
        ),
      ]),
      { empty: "No webhooks." },
    ),
    log,
    h("h3", {}, "Add a webhook"),
    h("div", { class: "row" }, url, format, minSeverity, classes),
    h(
      "div",
      { class: "row checks" },
      events.map((box) => h("label", { class: "check" }, box, box.value)),
    ),
    h(
      "div",
      { class: "row" },
      actionButton("Add webhook", { class: "btn", disabled: !can, title: can ? undefined : NEEDS_ADMIN }, async () => {
        try {
          const created = await ctx.api.send<{ secret: string }>("POST", "/v1/webhooks", {
            url: url.value.trim(),
            format: format.value,
            min_severity: minSeverity.value,
            events: events.filter((b) => b.checked).map((b) => b.value),
            classes: classes.value ? [classes.value] : null,
          });
          flash = notice("success", "Webhook added. Its signing secret, shown once: ", mono(created.secret));
          ctx.refresh();
        } catch (error) {
          out.replaceChildren(notice("error", errorText(error)));
        }
      }),
    ),
    out,
  );
}

function releasesCard(ctx: Ctx, releases: { version: string; shipped_at: string; environment: string | null }[]): HTMLElement {
  const can = ctx.session.canTriage;
  const version = h("input", { name: "release-version", placeholder: "1.5.0", disabled: !can, spellcheck: false });
  const out = h("div");
  return card(
    "Releases",
    h("p", { class: "small" }, "Recording a release turns groups resolved in it into \"fix shipped\". CI usually does this with the ingest key."),
    table(
      ["Version", "Shipped", "Environment"],
      releases.map((r) => [mono(r.version), h("span", { title: when(r.shipped_at) }, ago(r.shipped_at)), r.environment ?? "–"]),
      { empty: "No releases recorded." },
    ),
    h(
      "div",
      { class: "row" },
      version,
      actionButton("Record release", { class: "btn", disabled: !can, title: can ? undefined : NEEDS_ADMIN }, async () => {
        try {
          await ctx.api.send("POST", "/v1/releases", { version: version.value.trim() });
          ctx.refresh();
        } catch (error) {
          out.replaceChildren(notice("error", errorText(error)));
        }
      }),
    ),
    out,
  );
}
