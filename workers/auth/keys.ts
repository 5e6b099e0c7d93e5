// API keys: `vk_<scope>_<32 random base32 chars>`, shown once at creation and stored only as a
// SHA-256 hash. Lookups are cached per isolate for a short time so ingest does not pay a D1 query
// per request; revocation and settings changes therefore take effect within KEY_CACHE_MS.
import type { DetectorSettings } from "../core/detector-settings.ts";
import { resolveDetectorSettings } from "../core/detector-settings.ts";

export type KeyScope = "ingest" | "read" | "admin";

export interface ProjectKey {
  projectId: string;
  scope: KeyScope;
  /** The key's first characters: who acted, in audit trails. */
  prefix: string;
  settings: DetectorSettings;
}

const encoder = new TextEncoder();
const KEY_CACHE_MS = 30_000;
const KEY_CACHE_MAX = 10_000;
const keyCache = new Map<string, { key: ProjectKey | null; expires: number }>();

export async function hashKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
export function generateKey(scope: KeyScope): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `vk_${scope}_${[...bytes].map((b) => BASE32[b & 31]).join("")}`;
}

/** Constant-time comparison, so the admin token cannot be guessed byte by byte from timings. */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export async function lookupKey(db: D1Database, key: string, now = Date.now()): Promise<ProjectKey | null> {
  const hash = await hashKey(key);
  const cached = keyCache.get(hash);
  if (cached && cached.expires > now) return cached.key;
  const row = await db
    .prepare(
      `SELECT k.project_id AS project_id, k.scope AS scope, k.key_prefix AS key_prefix, p.settings AS settings
       FROM api_keys k JOIN projects p ON p.id = k.project_id
       WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
    )
    .bind(hash)
    .first<{ project_id: string; scope: KeyScope; key_prefix: string; settings: string }>();
  const value = row
    ? { projectId: row.project_id, scope: row.scope, prefix: row.key_prefix, settings: resolveDetectorSettings(safeJson(row.settings)) }
    : null;
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
  keyCache.set(hash, { key: value, expires: now + KEY_CACHE_MS });
  return value;
}

/** Drops cached lookups of a project, after its settings or keys changed in this isolate. */
export function forgetProjectKeys(projectId: string): void {
  for (const [hash, entry] of keyCache) if (entry.key?.projectId === projectId) keyCache.delete(hash);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
