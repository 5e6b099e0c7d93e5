// The dashboard: hash routing over the views, the signed-in layout, and the sign-in screen for
// anyone without a session. Everything on the page is built with DOM APIs (dom.ts).
import { Api } from "./api.ts";
import type { Ctx } from "./context.ts";
import type { Child } from "./dom.ts";
import { h, mount } from "./dom.ts";
import { clearSession, loadSession } from "./session.ts";
import { notice } from "./ui.ts";
import { digestsView } from "./views/digests.ts";
import { executionView } from "./views/execution.ts";
import { groupView } from "./views/group.ts";
import { groupsView } from "./views/groups.ts";
import { overviewView } from "./views/overview.ts";
import { settingsView } from "./views/settings.ts";
import { signInView } from "./views/signin.ts";

type View = (ctx: Ctx, params: string[], query: URLSearchParams) => Promise<Child>;

const ROUTES: { pattern: RegExp; view: View; nav: string; title: string }[] = [
  { pattern: /^\/?$/, view: overviewView, nav: "overview", title: "Overview" },
  { pattern: /^\/groups$/, view: groupsView, nav: "groups", title: "Groups" },
  { pattern: /^\/groups\/([^/]+)$/, view: groupView, nav: "groups", title: "Group" },
  { pattern: /^\/executions\/([^/]+)$/, view: executionView, nav: "groups", title: "Execution" },
  { pattern: /^\/digests$/, view: digestsView, nav: "digests", title: "Digests" },
  { pattern: /^\/settings$/, view: settingsView, nav: "settings", title: "Settings" },
];

const NAV = [
  ["overview", "Overview", "#/"],
  ["groups", "Groups", "#/groups"],
  ["digests", "Digests", "#/digests"],
  ["settings", "Settings", "#/settings"],
] as const;

const root = document.getElementById("app")!;
let renderSeq = 0;

function parseHash(): { path: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search] = raw.split("?", 2) as [string, string | undefined];
  return { path, query: new URLSearchParams(search ?? "") };
}

function navigate(hash: string): void {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function signOut(): void {
  clearSession();
  navigate("#/signin");
}

async function render(): Promise<void> {
  const seq = ++renderSeq;
  const { path, query } = parseHash();
  const session = loadSession();
  if (!session || path === "/signin") {
    document.title = "Sign in · Vigil";
    mount(root, signInView(query.get("next") ?? (path === "/signin" ? "#/" : location.hash || "#/")));
    return;
  }
  const ctx: Ctx = { api: new Api(session, signOut), session, navigate, refresh: () => void render(), signOut };
  const route = ROUTES.find((r) => r.pattern.test(path));
  const main = h("main", { class: "main", id: "main" });
  const nav = route?.nav ?? "";
  mount(
    root,
    h(
      "header",
      { class: "topbar" },
      h("a", { class: "brand", href: "#/" }, h("span", { class: "brand-mark" }, "◆"), "Vigil"),
      h(
        "nav",
        { class: "nav", aria: { label: "Main" } },
        NAV.map(([id, text, href]) => h("a", { href, class: id === nav ? "active" : "", data: { nav: id } }, text)),
      ),
      h(
        "div",
        { class: "who" },
        h("span", { class: "project" }, "project ", h("strong", {}, session.projectId)),
        h("span", { class: `badge ${session.canTriage ? "role-admin" : "role-read"}`, data: { test: "role" } }, session.canTriage ? "admin" : "read only"),
        h("button", { type: "button", class: "btn btn-ghost btn-small", on: { click: signOut } }, "Sign out"),
      ),
    ),
    main,
  );
  if (!route) {
    mount(main, notice("warn", "No such page. ", h("a", { href: "#/" }, "Go to the overview.")));
    return;
  }
  document.title = `${route.title} · Vigil`;
  mount(main, h("div", { class: "loading", aria: { busy: "true" } }, "Loading…"));
  try {
    const params = route.pattern.exec(path)!.slice(1).map((p) => decodeURIComponent(p));
    const content = await route.view(ctx, params, query);
    if (seq !== renderSeq) return;
    mount(main, content);
    main.dataset.ready = "true";
  } catch (error) {
    if (seq !== renderSeq) return;
    mount(main, notice("error", error instanceof Error ? error.message : String(error)));
    main.dataset.ready = "error";
  }
}

window.addEventListener("hashchange", () => void render());
void render();
