// Sign-in state. The credential lives in sessionStorage (gone when the tab closes, never sent as a
// cookie); the API address and project are remembered in localStorage for the next sign-in.
import type { Session } from "./api.ts";

const SESSION_KEY = "vigil.session";
const API_BASE_KEY = "vigil.apiBase";
const PROJECT_KEY = "vigil.project";

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.apiBase !== "string" || typeof s.token !== "string" || typeof s.projectId !== "string") return null;
    return { apiBase: s.apiBase, token: s.token, projectId: s.projectId, credential: s.credential === "admin_token" ? "admin_token" : "key", canTriage: s.canTriage === true };
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  localStorage.setItem(API_BASE_KEY, session.apiBase);
  if (session.credential === "admin_token") localStorage.setItem(PROJECT_KEY, session.projectId);
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** The API address: the one used last, else the one this build was configured with (index.html's meta). */
export function defaultApiBase(): string {
  const configured = document.querySelector<HTMLMetaElement>('meta[name="vigil-api-base"]')?.content;
  return localStorage.getItem(API_BASE_KEY) ?? configured ?? "http://127.0.0.1:8787";
}

export function defaultProject(): string {
  return localStorage.getItem(PROJECT_KEY) ?? "dev";
}
