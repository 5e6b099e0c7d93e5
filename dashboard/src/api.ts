// The API client: the signed-in credential on every call (the admin token also names its project
// with ?project_id=), the API's error envelope turned into an ApiError with the API's own message.

export interface Session {
  apiBase: string;
  token: string;
  projectId: string;
  credential: "key" | "admin_token";
  canTriage: boolean;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

type Query = Record<string, string | number | undefined | null>;

export class Api {
  readonly session: Session;
  readonly #onUnauthorized: () => void;

  constructor(session: Session, onUnauthorized: () => void) {
    this.session = session;
    this.#onUnauthorized = onUnauthorized;
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(`${this.session.apiBase.replace(/\/+$/, "")}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
    if (this.session.credential === "admin_token") url.searchParams.set("project_id", this.session.projectId);
    return url.href;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.#send<T>("GET", path, query);
  }

  send<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
    return this.#send<T>(method, path, {}, body);
  }

  async #send<T>(method: string, path: string, query: Query, body?: unknown): Promise<T> {
    return request<T>(this.url(path, query), this.session.token, method, body, this.#onUnauthorized);
  }
}

export async function request<T>(url: string, token: string, method = "GET", body?: unknown, onUnauthorized?: () => void): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body), credentials: "omit" });
  } catch {
    throw new ApiError(0, "unreachable", `The API at ${new URL(url).origin} did not answer. Is it running (npm start)?`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below by status
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401 && onUnauthorized) onUnauthorized();
    throw new ApiError(res.status, error?.code ?? "http_error", error?.message ?? `The API answered ${res.status}.`);
  }
  return json as T;
}
