// The seam between ingest and the content scanners (workers/scanners/): every event passes here
// after validation and before anything is stored, so redaction always precedes storage. A
// project's custom rules are compiled once per distinct rule set and reused.
import type { ContentFinding } from "../../durable-objects/execution/rpc-types.ts";
import type { DetectorSettings } from "../core/detector-settings.ts";
import type { CompiledCustomRule } from "../scanners/custom-rules.ts";
import { compileCustomRules } from "../scanners/custom-rules.ts";
import { scanEvent } from "../scanners/scan-event.ts";

export interface ScannedEvent {
  event: Record<string, unknown>;
  findings: ContentFinding[];
}

export function scanContent(event: Record<string, unknown>, customRules: readonly CompiledCustomRule[] = []): ScannedEvent {
  const scanned = scanEvent(event, { customRules });
  return { event: scanned.event, findings: scanned.findings };
}

const compiled = new Map<string, readonly CompiledCustomRule[]>();
const COMPILED_CACHE_MAX = 200;

/**
 * The compiled custom rules of a project's settings. Rules were vetted when saved; rules that no
 * longer compile (stored by other means) are skipped with a log line rather than failing ingest.
 */
export function customRulesFor(settings: DetectorSettings): readonly CompiledCustomRule[] {
  const rules = settings.data_leakage.custom_rules;
  if (rules.length === 0) return [];
  const key = JSON.stringify(rules);
  let hit = compiled.get(key);
  if (!hit) {
    try {
      hit = compileCustomRules(rules);
    } catch (error) {
      console.warn(JSON.stringify({ message: "custom secret rules skipped: they do not compile", error: String(error) }));
      hit = [];
    }
    if (compiled.size >= COMPILED_CACHE_MAX) compiled.clear();
    compiled.set(key, hit);
  }
  return hit;
}
