// Sign-in: the API address, and a read key, a project admin key or the admin token (with its
// project). The API's /v1/session says which project it is and whether it may triage.
import { request } from "../api.ts";
import type { Session } from "../api.ts";
import { h } from "../dom.ts";
import { defaultApiBase, defaultProject, saveSession } from "../session.ts";
import { notice } from "../ui.ts";

interface SessionInfo {
  project_id: string;
  scope: "read" | "admin";
  credential: "key" | "admin_token";
  can_triage: boolean;
}

export function signInView(next: string): HTMLElement {
  const apiBase = h("input", { id: "api-base", name: "api", type: "url", value: defaultApiBase(), required: true, autocomplete: "url", spellcheck: false });
  const token = h("input", { id: "token", name: "token", type: "password", required: true, autocomplete: "current-password", placeholder: "vk_read_… , vk_admin_… or the admin token", spellcheck: false });
  const project = h("input", { id: "project", name: "project", value: defaultProject(), spellcheck: false });
  const projectRow = h("div", { class: "field" }, h("label", { for: "project" }, "Project"), project, h("p", { class: "hint" }, "The admin token acts on any project; name the one to open."));
  const status = h("div", { class: "signin-status" });
  // The project field only matters for the admin token: project keys already belong to one project.
  const syncProject = () => {
    projectRow.hidden = token.value.startsWith("vk_") || token.value === "";
  };
  token.addEventListener("input", syncProject);
  syncProject();

  const submit = h("button", { type: "submit", class: "btn btn-primary btn-wide" }, "Sign in");
  const form = h(
    "form",
    { class: "signin-form", data: { test: "signin" } },
    h("div", { class: "field" }, h("label", { for: "api-base" }, "API"), apiBase),
    h("div", { class: "field" }, h("label", { for: "token" }, "Key or admin token"), token),
    projectRow,
    submit,
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.replaceChildren();
    const base = apiBase.value.trim().replace(/\/+$/, "");
    const secret = token.value.trim();
    const isKey = secret.startsWith("vk_");
    try {
      const url = new URL(`${base}/v1/session`);
      if (!isKey) url.searchParams.set("project_id", project.value.trim());
      const info = await request<SessionInfo>(url.href, secret);
      const session: Session = { apiBase: base, token: secret, projectId: info.project_id, credential: info.credential, canTriage: info.can_triage };
      saveSession(session);
      const target = next.startsWith("#/") && next !== "#/signin" ? next : "#/";
      // Setting the same hash fires no hashchange: render by hand then.
      if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
      else location.hash = target;
    } catch (error) {
      status.replaceChildren(notice("error", error instanceof Error ? error.message : String(error)));
    } finally {
      submit.disabled = false;
    }
  });

  return h(
    "div",
    { class: "signin" },
    h(
      "div",
      { class: "signin-card" },
      h("div", { class: "brand brand-large" }, h("span", { class: "brand-mark" }, "◆"), "Vigil"),
      h("p", { class: "subtitle" }, "Failure triage for AI agents. Sign in to see your failure groups."),
      form,
      h(
        "details",
        { class: "signin-help" },
        h("summary", {}, "Running locally?"),
        h(
          "p",
          {},
          "npm start prints the keys. Read-only: ",
          h("code", {}, "vk_dev_read_local_only"),
          ". To triage: the admin token ",
          h("code", {}, "dev-admin-token"),
          " with project ",
          h("code", {}, "dev"),
          ".",
        ),
      ),
    ),
  );
}
