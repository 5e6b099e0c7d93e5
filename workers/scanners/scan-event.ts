// Runs the three content scanners over one validated event (spec section 4.2) and returns a
// redacted deep copy plus findings. Called at ingest, before the event is stored.
//
// - data_leakage: every string anywhere (values, object keys, and integers that look like card
//   numbers), each secret replaced by `[REDACTED:<rule>]`. Paths are built from redacted keys, so a
//   secret never reaches a finding either.
// - prompt_injection: direct on user content (`prompt`, user messages' text), indirect on tool
//   output (`tool_call.result`, tool/function messages, tool-result content parts), and
//   `response_follows_injection` on an llm_call response. The system prompt (`system`, system and
//   developer messages) is never scanned for injection.
// - sandbox_escape: `tool_call` arguments, result and error, whatever the status.
// Findings are deduplicated by (class, signature); each keeps the path of its first hit in document
// order. The input is never mutated; when nothing needs redacting it is returned as it is (most
// events carry no secret, and copying every one of them cost more than finding that out).
import type { CompiledCustomRule } from "./custom-rules.ts";
import { findSecrets, MIN_SECRET_LENGTH, redactSecrets } from "./data-leakage.ts";
import { RESPONSE_FOLLOWS_INJECTION, responseFollowsInjection, scanInjection } from "./prompt-injection.ts";
import { scanSandboxEscape } from "./sandbox-escape.ts";
import { StringMemo } from "./memo.ts";
import type { PatternHit, ScanFailureClass, ScanFinding } from "./types.ts";

export interface ScanEventOptions {
  customRules?: readonly CompiledCustomRule[];
}

export interface ScanEventResult {
  event: Record<string, unknown>;
  findings: ScanFinding[];
}

interface StringAt {
  path: string;
  text: string;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** Paths stop growing past this length (deeply nested values), ending in "…". */
const MAX_PATH = 200;

function childPath(parent: string, key: string | number): string {
  if (parent.length > MAX_PATH) return parent.endsWith("…") ? parent : `${parent}…`;
  if (typeof key === "number") return `${parent}[${key}]`;
  if (IDENT.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

class Findings {
  readonly list: ScanFinding[] = [];
  readonly #seen = new Set<string>();
  add(failureClass: ScanFailureClass, hit: PatternHit, path: string): void {
    const key = `${failureClass}\u0000${hit.signature}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push({ failure_class: failureClass, signature: hit.signature, severity: hit.severity, path });
  }
}

let directInjectionMemo = new StringMemo<ReturnType<typeof scanInjection>>();
let indirectInjectionMemo = new StringMemo<ReturnType<typeof scanInjection>>();

const NO_CUSTOM_RULES: readonly CompiledCustomRule[] = [];
/** Strings known to hold no secret under the built-in rules. */
let builtInClean = new StringMemo<true>();
/**
 * The same for the last custom rule set seen (a project's compiled rules are one array for as long
 * as its settings stay the same: content-scan.ts customRulesFor). One set at a time, so memory
 * stays bounded however many projects have rules of their own.
 */
let customClean: { rules: readonly CompiledCustomRule[]; memo: StringMemo<true> } | null = null;

/** Forgets every memoised result: for measurements of a cold isolate (scripts/eval-scanners.ts). */
export function clearScanMemos(): void {
  directInjectionMemo = new StringMemo();
  indirectInjectionMemo = new StringMemo();
  builtInClean = new StringMemo();
  customClean = null;
}

function cleanStringsFor(custom: readonly CompiledCustomRule[]): StringMemo<true> {
  if (custom === NO_CUSTOM_RULES) return builtInClean;
  if (customClean?.rules !== custom) customClean = { rules: custom, memo: new StringMemo<true>() };
  return customClean.memo;
}

export function scanEvent(event: Record<string, unknown>, opts: ScanEventOptions = {}): ScanEventResult {
  const custom = opts.customRules !== undefined && opts.customRules.length > 0 ? opts.customRules : NO_CUSTOM_RULES;
  const findings = new Findings();
  const known: KnownMatches = { text: null, matches: [] };
  const redacted = holdsSecret(event, custom, known) ? (redactTree(event, custom, findings, known) as Record<string, unknown>) : event;
  scanInjectionInEvent(event, findings);
  if (event["type"] === "tool_call") {
    for (const key of ["arguments", "result", "error"]) {
      for (const s of collectStrings(event[key], key)) {
        const part = key === "arguments" ? "arguments" : "result";
        for (const hit of scanSandboxEscape(s.text, part)) findings.add("sandbox_escape", hit, s.path);
      }
    }
  }
  return { event: redacted, findings: findings.list };
}

// ---- Data leakage: redacted deep copy ---------------------------------------------------------------

/** Card numbers sent as JSON numbers are scanned as their digits. */
const isCardSizedInteger = (n: number): boolean => Number.isInteger(n) && Math.abs(n) >= 1e12;

/** Matches of one string, found while deciding whether to copy and reused by the copy. */
interface KnownMatches {
  text: string | null;
  matches: ReturnType<typeof findSecrets>;
}

function secretsIn(text: string, custom: readonly CompiledCustomRule[], known: KnownMatches): ReturnType<typeof findSecrets> {
  if (known.text === text) return known.matches;
  return findSecrets(text, custom);
}

/**
 * Whether any string (value or key) or card-sized integer under `root` holds a secret: a read-only
 * walk with no copies and no paths, so an event without secrets costs only the scan itself. The
 * string that answered yes is remembered in `known`, so the copy does not scan it twice.
 */
function holdsSecret(root: unknown, custom: readonly CompiledCustomRule[], known: KnownMatches): boolean {
  const clean = cleanStringsFor(custom);
  const check = (text: string): boolean => {
    if (text.length < MIN_SECRET_LENGTH || clean.get(text) === true) return false;
    const matches = findSecrets(text, custom);
    if (matches.length === 0) {
      clean.set(text, true);
      return false;
    }
    known.text = text;
    known.matches = matches;
    return true;
  };
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (check(v)) return true;
    } else if (typeof v === "number") {
      if (isCardSizedInteger(v) && check(String(v))) return true;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (isPlainObject(v)) {
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        if (check(key)) return true;
        stack.push(v[key]);
      }
    }
  }
  return false;
}

function redactString(text: string, path: string, custom: readonly CompiledCustomRule[], findings: Findings, known: KnownMatches): string {
  const matches = secretsIn(text, custom, known);
  if (matches.length === 0) return text;
  for (const m of matches) findings.add("data_leakage", { signature: m.rule, severity: m.severity }, path);
  return redactSecrets(text, matches);
}

/**
 * Deep copy with every string redacted. Iterative (explicit stack), so a deeply nested 64 KiB
 * event cannot overflow the call stack; children are visited in document order.
 */
function redactTree(root: unknown, custom: readonly CompiledCustomRule[], findings: Findings, known: KnownMatches): unknown {
  const holder: { value: unknown } = { value: undefined };
  type Task = { src: unknown; path: string; set: (v: unknown) => void };
  const stack: Task[] = [{ src: root, path: "", set: (v) => (holder.value = v) }];
  while (stack.length > 0) {
    const { src, path, set } = stack.pop()!;
    if (typeof src === "string") {
      set(redactString(src, path === "" ? "$" : path, custom, findings, known));
    } else if (typeof src === "number") {
      if (isCardSizedInteger(src)) {
        const s = String(src);
        const r = redactString(s, path, custom, findings, known);
        set(r === s ? src : r);
      } else set(src);
    } else if (Array.isArray(src)) {
      const out: unknown[] = new Array<unknown>(src.length);
      set(out);
      for (let i = src.length - 1; i >= 0; i--) {
        stack.push({ src: src[i], path: childPath(path, i), set: (v) => (out[i] = v) });
      }
    } else if (isPlainObject(src)) {
      const out: Record<string, unknown> = {};
      set(out);
      const keys = Object.keys(src);
      // Redact keys first (in order) so paths below never carry a secret.
      const safeKeys = keys.map((k) => redactString(k, path === "" ? "$" : path, custom, findings, known));
      for (let i = 0; i < keys.length; i++) {
        let safe = safeKeys[i]!;
        // Two keys redacting to the same text must not overwrite each other.
        if (safe !== keys[i] && Object.hasOwn(out, safe)) safe = `${safe}#${i}`;
        out[safe] = undefined;
        safeKeys[i] = safe;
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const safe = safeKeys[i]!;
        stack.push({ src: src[keys[i]!], path: childPath(path, safe), set: (v) => (out[safe] = v) });
      }
    } else {
      set(src);
    }
  }
  return holder.value;
}

/** All strings under `value` (values only), with paths, in document order. */
function collectStrings(value: unknown, path: string): StringAt[] {
  const out: StringAt[] = [];
  const stack: Array<{ v: unknown; p: string }> = [{ v: value, p: path }];
  while (stack.length > 0) {
    const { v, p } = stack.pop()!;
    if (typeof v === "string") out.push({ path: p, text: v });
    else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], p: childPath(p, i) });
    else if (isPlainObject(v)) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ v: v[keys[i]!], p: childPath(p, keys[i]!) });
    }
  }
  return out;
}

// ---- Prompt injection ----------------------------------------------------------------------------------

const TOOL_ROLES = new Set(["tool", "function", "ipython", "tool_result", "function_call_output"]);
const SYSTEM_ROLES = new Set(["system", "developer"]);
const TOOL_PART_TYPES = new Set(["tool_result", "function_call_output", "function_response", "tool_response", "mcp_tool_result"]);
const TEXT_PART_TYPES = new Set(["text", "input_text"]);

interface ContentSplit {
  direct: StringAt[];
  indirect: StringAt[];
}

/** Split a message's content into user-authored text and tool output embedded as parts. */
function splitParts(content: unknown, path: string, role: string, into: ContentSplit): void {
  if (TOOL_ROLES.has(role)) {
    into.indirect.push(...collectStrings(content, path));
    return;
  }
  if (typeof content === "string") {
    if (role === "user") into.direct.push({ path, text: content });
    return;
  }
  const parts = Array.isArray(content) ? content : isPlainObject(content) ? [content] : [];
  parts.forEach((part, i) => {
    const p = Array.isArray(content) ? childPath(path, i) : path;
    if (typeof part === "string") {
      if (role === "user") into.direct.push({ path: p, text: part });
      return;
    }
    if (!isPlainObject(part)) return;
    const type = typeof part["type"] === "string" ? part["type"] : "";
    if (TOOL_PART_TYPES.has(type)) {
      into.indirect.push(...collectStrings(part, p));
    } else if (isPlainObject(part["functionResponse"]) || isPlainObject(part["function_response"])) {
      into.indirect.push(...collectStrings(part, p));
    } else if (role === "user" && (TEXT_PART_TYPES.has(type) || (type === "" && typeof part["text"] === "string"))) {
      if (typeof part["text"] === "string") into.direct.push({ path: childPath(p, "text"), text: part["text"] });
    }
  });
}

function scanInjectionInEvent(event: Record<string, unknown>, findings: Findings): void {
  const split: ContentSplit = { direct: [], indirect: [] };
  const system: string[] = [];
  const type = event["type"];
  if (type === "llm_call") {
    split.direct.push(...collectStrings(event["prompt"], "prompt"));
    for (const s of collectStrings(event["system"], "system")) system.push(s.text);
    const messages = event["messages"];
    if (Array.isArray(messages)) {
      messages.forEach((msg, i) => {
        if (!isPlainObject(msg)) return;
        const role = typeof msg["role"] === "string" ? msg["role"].toLowerCase() : "";
        const path = childPath(childPath("messages", i), "content");
        if (SYSTEM_ROLES.has(role)) {
          for (const s of collectStrings(msg["content"], path)) system.push(s.text);
          return;
        }
        splitParts(msg["content"], path, role, split);
      });
    }
  } else if (type === "tool_call") {
    split.indirect.push(...collectStrings(event["result"], "result"));
  } else {
    return;
  }

  const injections: Array<{ techniques: string[]; windows: string[] }> = [];
  const cleanUserText: string[] = [];
  for (const s of split.direct) {
    const r = directInjectionMemo.getOr(s.text, () => scanInjection(s.text, { indirect: false }));
    for (const h of r.hits) findings.add("prompt_injection", h, s.path);
    if (r.hits.length > 0) injections.push({ techniques: r.hits.map((h) => h.signature), windows: r.windows });
    else cleanUserText.push(s.text);
  }
  for (const s of split.indirect) {
    const r = indirectInjectionMemo.getOr(s.text, () => scanInjection(s.text, { indirect: true }));
    for (const h of r.hits) findings.add("prompt_injection", h, s.path);
    if (r.hits.length > 0) injections.push({ techniques: r.hits.map((h) => h.signature), windows: r.windows });
  }

  if (type === "llm_call" && injections.length > 0 && event["response"] !== undefined) {
    const response = collectStrings(event["response"], "response");
    const text = response.map((s) => s.text).join("\n");
    if (responseFollowsInjection(text, injections, system.join("\n"), cleanUserText.join("\n"))) {
      findings.add(
        "prompt_injection",
        { signature: RESPONSE_FOLLOWS_INJECTION, severity: "critical" },
        response.length === 1 ? response[0]!.path : "response",
      );
    }
  }
}
