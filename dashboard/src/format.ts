// Formatting shared by the views: times, durations, counts, and the fixed vocabularies (classes,
// statuses, severities) with their labels.

import { allowedTransitions } from "../../workers/triage/lifecycle.ts";

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ["open", "acknowledged", "fix_in_progress", "regressed", "resolved", "archived"] as const;
export type GroupStatus = (typeof STATUSES)[number];

/** The fixed vocabularies come from the API's own modules, so the two cannot drift apart. */
export { FAILURE_CLASSES, TRIAGE_CATEGORIES as CATEGORIES } from "../../workers/core/failure-classes.ts";

/** Which status a person may move a group to (workers/triage/lifecycle.ts). */
export const ALLOWED_TRANSITIONS: Record<GroupStatus, readonly GroupStatus[]> = Object.fromEntries(
  STATUSES.map((s) => [s, allowedTransitions(s)]),
) as Record<GroupStatus, readonly GroupStatus[]>;

export function label(id: string): string {
  const text = id.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : n.toLocaleString("en-US");
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toLocaleString("en-GB", { year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: "UTC" }) + " UTC";
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "–";
  // Event times come from agents' clocks: a little in the future is still "just now".
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 10) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

export function seconds(s: number | null | undefined): string {
  return s === null || s === undefined ? "–" : duration(s * 1000);
}

export function usd(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
}

/** "1 occurrence", "3 occurrences". */
export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? "" : /(s|x|ch|sh)$/.test(word) ? "es" : "s"}`;
}
