// Bearer auth for /v1/*: the admin token, or a project key of the right scope (spec section 3).
import type { Context } from "hono";
import { ApiError } from "../errors.ts";
import type { DetectorSettings } from "../core/detector-settings.ts";
import { resolveDetectorSettings } from "../core/detector-settings.ts";
import type { AppEnv } from "../app-env.ts";
import type { KeyScope } from "./keys.ts";
import { lookupKey, timingSafeEqualStrings } from "./keys.ts";

export interface Caller {
  projectId: string;
  isAdmin: boolean;
  /** Who is acting, for audit trails when the request names no person. */
  actor: string;
  settings: DetectorSettings;
}

const BEARER = /^Bearer ([\x21-\x7e]{8,256})$/;

/**
 * Authenticates the request for one project. Project keys act on their own project; the admin
 * token names the project with `?project_id=`. `scopes` lists the key scopes allowed here.
 */
export async function requireProject(c: Context<AppEnv>, scopes: readonly KeyScope[]): Promise<Caller> {
  const header = c.req.header("authorization") ?? "";
  const match = BEARER.exec(header);
  if (!match) throw new ApiError("unauthorized", "Send 'Authorization: Bearer <key>' with a Vigil key.");
  const token = match[1]!;
  if (c.env.ADMIN_TOKEN && timingSafeEqualStrings(token, c.env.ADMIN_TOKEN)) {
    const projectId = c.req.query("project_id");
    if (!projectId) throw new ApiError("bad_request", "The admin token acts on a project named by ?project_id=.");
    const row = await c.env.DB.prepare("SELECT settings FROM projects WHERE id = ?").bind(projectId).first<{ settings: string }>();
    if (!row) throw new ApiError("not_found", "No such project.");
    return { projectId, isAdmin: true, actor: "admin token", settings: resolveDetectorSettings(JSON.parse(row.settings)) };
  }
  const key = await lookupKey(c.env.DB, token);
  if (!key) throw new ApiError("unauthorized", "Unknown or revoked key.");
  if (!scopes.includes(key.scope)) {
    throw new ApiError("forbidden", `A ${key.scope} key cannot do this; use a ${scopes.join(" or ")} key.`);
  }
  return { projectId: key.projectId, isAdmin: false, actor: `key ${key.prefix}…`, settings: key.settings };
}

export async function requireAdmin(c: Context<AppEnv>): Promise<void> {
  const match = BEARER.exec(c.req.header("authorization") ?? "");
  if (!match) throw new ApiError("unauthorized", "Send 'Authorization: Bearer <admin token>'.");
  if (c.env.ADMIN_TOKEN && timingSafeEqualStrings(match[1]!, c.env.ADMIN_TOKEN)) return;
  if (await lookupKey(c.env.DB, match[1]!)) throw new ApiError("forbidden", "This needs the admin token, not a project key.");
  throw new ApiError("unauthorized", "Unknown token.");
}
