// Small building blocks shared by the views: badges, cards, tables, notices.
import type { Child } from "./dom.ts";
import { h } from "./dom.ts";
import { label } from "./format.ts";

export function severityBadge(severity: string): HTMLElement {
  return h("span", { class: `badge sev-${severity.replace(/[^a-z]/g, "")}` }, severity);
}

export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge status status-${status.replace(/[^a-z_]/g, "")}` }, label(status));
}

export function card(title: Child, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, title ? h("h2", { class: "card-title" }, title) : null, children);
}

export function stat(name: string, value: Child, sub?: Child, tone?: "bad" | "good" | "warn"): HTMLElement {
  return h("div", { class: `stat${tone ? ` tone-${tone}` : ""}` }, h("div", { class: "stat-name" }, name), h("div", { class: "stat-value" }, value), sub ? h("div", { class: "stat-sub" }, sub) : null);
}

export function table(headers: readonly string[], rows: readonly Child[][], options: { empty?: Child; className?: string } = {}): HTMLElement {
  if (rows.length === 0 && options.empty) return h("div", { class: "empty" }, options.empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: options.className ?? "" },
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))),
      h(
        "tbody",
        {},
        rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c)))),
      ),
    ),
  );
}

export function keyValues(pairs: readonly [string, Child][]): HTMLElement {
  return h(
    "dl",
    { class: "kv" },
    pairs.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );
}

export function notice(kind: "error" | "info" | "warn" | "success", ...children: Child[]): HTMLElement {
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, children);
}

export function pageHeader(title: Child, subtitle?: Child, actions?: Child): HTMLElement {
  return h("header", { class: "page-header" }, h("div", {}, h("h1", {}, title), subtitle ? h("p", { class: "subtitle" }, subtitle) : null), actions ? h("div", { class: "page-actions" }, actions) : null);
}

export function mono(text: string): HTMLElement {
  return h("code", { class: "mono" }, text);
}

/** A button whose action is async: disabled while it runs, so a double click cannot send twice. */
export function actionButton(text: string, props: { class?: string; disabled?: boolean; title?: string; data?: Record<string, string> }, action: () => Promise<void>): HTMLButtonElement {
  const button = h("button", { type: "button", class: props.class ?? "btn", disabled: props.disabled, title: props.title, data: props.data }, text);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await action();
    } finally {
      if (button.isConnected) button.disabled = props.disabled ?? false;
    }
  });
  return button;
}
