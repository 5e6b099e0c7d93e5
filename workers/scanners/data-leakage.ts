// Data-leakage detector: finds credentials and personal data in one string and redacts them.
// Findings carry the rule id and the offsets only; the matched value never leaves this module
// except as the part of the string that `redactSecrets` replaces with `[REDACTED:<rule>]`.
import type { CompiledCustomRule } from "./custom-rules.ts";
import { KeywordAutomaton } from "./keyword-automaton.ts";
import { BUILT_IN_RULES, type SecretRule } from "./secret-rules.ts";
import type { SecretMatch, Severity } from "./types.ts";

interface PreparedRule {
  readonly rule: SecretRule;
  /** Copy of the rule's pattern with the `d` flag, so the `s` group's offsets are available. */
  readonly regex: RegExp | null;
  /** Indexes of the rule's keywords in KEYWORDS (empty: the rule runs whenever `needs` allows). */
  readonly keywordIndexes: readonly number[];
}

/** Every distinct keyword of every rule, found in one pass by KEYWORD_AUTOMATON. */
const KEYWORDS: readonly string[] = [...new Set(BUILT_IN_RULES.flatMap((r) => r.keywords))];
const KEYWORD_AUTOMATON = new KeywordAutomaton(KEYWORDS);
const keywordFound = new Uint8Array(KEYWORDS.length);

const PREPARED: readonly PreparedRule[] = BUILT_IN_RULES.map((rule) => ({
  rule,
  regex:
    rule.pattern === undefined
      ? null
      : new RegExp(rule.pattern.source, rule.pattern.flags.includes("d") ? rule.pattern.flags : rule.pattern.flags + "d"),
  keywordIndexes: rule.keywords.map((k) => KEYWORDS.indexOf(k)),
}));

const KEYWORDLESS: readonly PreparedRule[] = PREPARED.filter((p) => p.keywordIndexes.length === 0);

/** Ids of the built-in rules (custom rules may not reuse them). */
export const BUILT_IN_RULE_IDS: ReadonlySet<string> = new Set(BUILT_IN_RULES.map((r) => r.id));

interface RawMatch {
  rule: string;
  severity: Severity;
  priority: number;
  start: number;
  end: number;
}

const CUSTOM_PRIORITY = 4;

/** No rule matches fewer characters: shorter strings hold no secret. */
export const MIN_SECRET_LENGTH = 6;

/**
 * All secrets in `text`, merged so no two overlap (overlapping hits become one span attributed to
 * the most specific rule), in order of position.
 */
export function findSecrets(text: string, customRules: readonly CompiledCustomRule[] = []): SecretMatch[] {
  if (text.length < MIN_SECRET_LENGTH) return [];
  const raw: RawMatch[] = [];
  keywordFound.fill(0);
  const facts = KEYWORD_AUTOMATON.scan(text, keywordFound);
  // Most strings contain no keyword at all: then only the keyword-less rules can apply.
  for (const { rule, regex, keywordIndexes } of facts.hits === 0 ? KEYWORDLESS : PREPARED) {
    if (keywordIndexes.length > 0) {
      let hit = false;
      for (const k of keywordIndexes) {
        if (keywordFound[k] === 1) {
          hit = true;
          break;
        }
      }
      if (!hit) continue;
    }
    if (rule.needs !== undefined && !rule.needs(facts)) continue;
    const priority = rule.priority ?? 0;
    if (rule.find !== undefined) {
      for (const [start, end] of rule.find(text)) {
        raw.push({ rule: rule.id, severity: rule.severity, priority, start, end });
      }
      continue;
    }
    if (regex === null) continue;
    regex.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = regex.exec(text)) !== null) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const span = m.indices?.groups?.["s"] ?? m.indices?.[0];
      if (span === undefined) continue;
      const [start, end] = span;
      const value = text.slice(start, end);
      if (rule.validate !== undefined && !rule.validate(value, text, start)) continue;
      raw.push({ rule: rule.id, severity: rule.severity, priority, start, end });
    }
  }
  for (const custom of customRules) {
    const regex = custom.regex;
    regex.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = regex.exec(text)) !== null) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const span = m.indices?.groups?.["secret"] ?? m.indices?.[0];
      if (span === undefined || span[1] <= span[0]) continue;
      raw.push({ rule: custom.id, severity: custom.severity, priority: CUSTOM_PRIORITY, start: span[0], end: span[1] });
    }
  }
  return mergeMatches(raw);
}

function mergeMatches(raw: RawMatch[]): SecretMatch[] {
  if (raw.length === 0) return [];
  raw.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretMatch[] = [];
  let cur: RawMatch = { ...raw[0]! };
  for (let i = 1; i < raw.length; i++) {
    const m = raw[i]!;
    if (m.start < cur.end) {
      // Overlap: cover the union so no part of either value survives redaction, and name the
      // span after the more specific (higher-priority, then longer) rule.
      const better = m.priority > cur.priority || (m.priority === cur.priority && m.end - m.start > cur.end - cur.start);
      cur = {
        rule: better ? m.rule : cur.rule,
        severity: better ? m.severity : cur.severity,
        priority: Math.max(m.priority, cur.priority),
        start: cur.start,
        end: Math.max(cur.end, m.end),
      };
    } else {
      out.push({ rule: cur.rule, severity: cur.severity, start: cur.start, end: cur.end });
      cur = { ...m };
    }
  }
  out.push({ rule: cur.rule, severity: cur.severity, start: cur.start, end: cur.end });
  return out;
}

/** Replace each match with `[REDACTED:<rule>]`. `matches` must be sorted and non-overlapping. */
export function redactSecrets(text: string, matches: readonly SecretMatch[]): string {
  if (matches.length === 0) return text;
  let out = "";
  let pos = 0;
  for (const m of matches) {
    out += text.slice(pos, m.start) + `[REDACTED:${m.rule}]`;
    pos = m.end;
  }
  return out + text.slice(pos);
}
