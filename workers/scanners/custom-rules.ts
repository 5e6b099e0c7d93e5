// Per-project custom data-leakage rules: `{id, pattern, severity}` compiled once at creation.
//
// Workers run JavaScript's backtracking RegExp engine and a regex cannot be interrupted, so a
// hostile pattern such as `(a+)+$` could pin a Worker's CPU on one event. Instead of a second regex
// engine, creation rejects every pattern outside a subset on which backtracking is bounded:
//   1. no backreferences (`\1`, `\k<name>`): they make matching NP-hard;
//   2. no quantifier inside a repeated group (`(a+)+`, `(a?){30}`, `(.*a){20}`): exponential;
//   3. a repeated group's alternatives must not start with the same character and must not match
//      the empty string (`(a|a)*`, `(a|ab)+`): exponential;
//   4. two long repeats that can match the same character may not follow one another unless a
//      mandatory character neither can match separates them (`.*a.*b`, `\w+\d+`): polynomial;
//   5. lookarounds may not contain long repeats (`(?=.*x)` re-scans the rest of the text at every
//      position): quadratic;
//   6. unbounded quantifiers (`*`, `+`, `{n,}`) are rewritten to at most MAX_REPEAT repetitions and
//      explicit counts above MAX_COUNT are refused, so even the one remaining source of repeated
//      work (retrying a long repeat from each start position) is bounded by MAX_REPEAT per char.
// The result: matching time is at most (text length) x MAX_REPEAT x (pattern size) steps.
// Patterns are parsed by the analyzer below and also by `new RegExp`, whose SyntaxError becomes
// `invalid_pattern`.
import { BUILT_IN_RULES } from "./secret-rules.ts";
import type { Severity } from "./types.ts";

export interface CustomRuleInput {
  id: string;
  pattern: string;
  severity: Severity;
}

export interface CompiledCustomRule {
  readonly id: string;
  readonly severity: Severity;
  /** The rewritten pattern (caps applied), global + indices; `(?<secret>...)` narrows redaction. */
  readonly regex: RegExp;
  /** The pattern as the project wrote it. */
  readonly source: string;
}

export type CustomRuleErrorCode = "unsafe_pattern" | "invalid_pattern" | "invalid_rule_id";

export class CustomRuleError extends Error {
  readonly code: CustomRuleErrorCode;
  readonly ruleId: string;
  constructor(code: CustomRuleErrorCode, ruleId: string, message: string) {
    super(message);
    this.name = "CustomRuleError";
    this.code = code;
    this.ruleId = ruleId;
  }
}

export const MAX_CUSTOM_RULES = 50;
export const MAX_PATTERN_LENGTH = 512;
/** Cap for `*`, `+` and `{n,}` (characters one repeat may consume). */
export const MAX_REPEAT = 256;
/** Largest explicit `{n}` / `{n,m}` count accepted. */
export const MAX_COUNT = 1000;
/** Repeats that can consume more than this many characters count as "long" for rules 4 and 5. */
const LONG = 16;

const RULE_ID = /^[a-z][a-z0-9_]{1,63}$/;
const BUILT_IN_IDS: ReadonlySet<string> = new Set(BUILT_IN_RULES.map((r) => r.id));
const SEVERITIES = new Set<string>(["low", "medium", "high", "critical"]);

/**
 * Compile and vet a project's custom rules. Throws `CustomRuleError` for the first bad rule:
 * `invalid_rule_id` (syntax, duplicate, or a built-in id), `invalid_pattern` (not a regex, empty
 * match, too long) or `unsafe_pattern` (could backtrack catastrophically, see the file comment).
 */
export function compileCustomRules(
  rules: readonly CustomRuleInput[],
  reservedIds: ReadonlySet<string> = BUILT_IN_IDS,
): CompiledCustomRule[] {
  if (rules.length > MAX_CUSTOM_RULES) {
    throw new CustomRuleError("invalid_rule_id", "", `at most ${MAX_CUSTOM_RULES} custom rules per project`);
  }
  const seen = new Set<string>();
  return rules.map((rule) => {
    const id = rule.id;
    if (typeof id !== "string" || !RULE_ID.test(id)) {
      throw new CustomRuleError("invalid_rule_id", String(id), "rule id must match ^[a-z][a-z0-9_]{1,63}$");
    }
    if (seen.has(id)) throw new CustomRuleError("invalid_rule_id", id, `duplicate rule id "${id}"`);
    if (reservedIds.has(id)) {
      throw new CustomRuleError("invalid_rule_id", id, `"${id}" is a built-in rule id; choose another`);
    }
    seen.add(id);
    if (!SEVERITIES.has(rule.severity)) {
      throw new CustomRuleError("invalid_pattern", id, "severity must be low, medium, high or critical");
    }
    return compileOne(id, rule.pattern, rule.severity);
  });
}

function compileOne(id: string, pattern: string, severity: Severity): CompiledCustomRule {
  if (typeof pattern !== "string" || pattern.length === 0) {
    throw new CustomRuleError("invalid_pattern", id, "pattern must be a non-empty string");
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new CustomRuleError("invalid_pattern", id, `pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  // `(?i)` prefix, as in RE2/PCRE-style secret-scanner rules, means case-insensitive.
  let body = pattern;
  let flags = "gd";
  if (body.startsWith("(?i)")) {
    body = body.slice(4);
    flags += "i";
  }
  try {
    new RegExp(body, flags);
  } catch (e) {
    const reason = e instanceof Error ? e.message : "syntax error";
    throw new CustomRuleError("invalid_pattern", id, `not a valid regular expression: ${reason}`);
  }
  let ast: Node;
  try {
    ast = new Parser(body, flags.includes("i")).parse();
  } catch (e) {
    if (e instanceof UnsafeError) throw new CustomRuleError("unsafe_pattern", id, e.message);
    const reason = e instanceof Error ? e.message : "syntax error";
    throw new CustomRuleError("invalid_pattern", id, `unsupported regular expression: ${reason}`);
  }
  try {
    checkSafety(ast);
  } catch (e) {
    if (e instanceof UnsafeError) {
      throw new CustomRuleError("unsafe_pattern", id, `pattern could backtrack catastrophically: ${e.message}`);
    }
    throw e;
  }
  if (nullable(ast)) {
    // An empty match would redact nothing and report a leak everywhere.
    throw new CustomRuleError("invalid_pattern", id, "pattern can match the empty string");
  }
  const regex = new RegExp(serialize(ast), flags);
  return { id, severity, regex, source: pattern };
}

// ---- A small regex AST -------------------------------------------------------------------------------

class UnsafeError extends Error {}

/** Characters an atom can match: a 128-bit ASCII bitmap plus "some non-ASCII character". */
class CharSet {
  readonly bits = new Uint32Array(4);
  nonAscii = false;
  static of(...codes: number[]): CharSet {
    const s = new CharSet();
    for (const c of codes) s.add(c);
    return s;
  }
  static range(lo: number, hi: number): CharSet {
    const s = new CharSet();
    s.addRange(lo, hi);
    return s;
  }
  static all(): CharSet {
    const s = CharSet.range(0, 127);
    s.nonAscii = true;
    return s;
  }
  add(code: number): void {
    if (code < 128) this.bits[code >> 5]! |= 1 << (code & 31);
    else this.nonAscii = true;
  }
  addRange(lo: number, hi: number): void {
    for (let c = lo; c <= Math.min(hi, 127); c++) this.add(c);
    if (hi >= 128) this.nonAscii = true;
  }
  addSet(o: CharSet): void {
    for (let i = 0; i < 4; i++) this.bits[i]! |= o.bits[i]!;
    this.nonAscii ||= o.nonAscii;
  }
  complement(): CharSet {
    const s = new CharSet();
    for (let i = 0; i < 4; i++) s.bits[i] = ~this.bits[i]! >>> 0;
    s.nonAscii = true;
    return s;
  }
  intersects(o: CharSet): boolean {
    for (let i = 0; i < 4; i++) if ((this.bits[i]! & o.bits[i]!) !== 0) return true;
    return this.nonAscii && o.nonAscii;
  }
  foldCase(): CharSet {
    const s = new CharSet();
    s.addSet(this);
    for (let c = 65; c <= 90; c++) {
      if (this.has(c) || this.has(c + 32)) {
        s.add(c);
        s.add(c + 32);
      }
    }
    return s;
  }
  has(code: number): boolean {
    return code < 128 ? (this.bits[code >> 5]! & (1 << (code & 31))) !== 0 : this.nonAscii;
  }
}

type Node =
  | { k: "char"; set: CharSet; src: string }
  | { k: "seq"; items: Node[] }
  | { k: "alt"; branches: Node[] }
  | { k: "group"; child: Node; open: string }
  | { k: "look"; child: Node; open: string }
  | { k: "repeat"; child: Node; min: number; max: number; lazy: boolean }
  | { k: "assert"; src: string };

const DIGIT = CharSet.range(48, 57);
const WORD = (() => {
  const s = CharSet.range(48, 57);
  s.addRange(65, 90);
  s.addRange(97, 122);
  s.add(95);
  return s;
})();
const SPACE = (() => {
  const s = CharSet.of(9, 10, 11, 12, 13, 32);
  s.nonAscii = true; // \s also matches Unicode spaces
  return s;
})();
const DOT = (() => {
  const s = CharSet.all();
  const nl = CharSet.of(10, 13);
  for (let i = 0; i < 4; i++) s.bits[i]! &= ~nl.bits[i]!;
  return s;
})();

class Parser {
  private pos = 0;
  private readonly src: string;
  private readonly ignoreCase: boolean;
  constructor(src: string, ignoreCase: boolean) {
    this.src = src;
    this.ignoreCase = ignoreCase;
  }

  parse(): Node {
    const node = this.alternation();
    if (this.pos < this.src.length) throw new Error(`unexpected "${this.src[this.pos]}"`);
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private alternation(): Node {
    const branches = [this.sequence()];
    while (this.peek() === "|") {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { k: "alt", branches };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.peek() !== "|" && this.peek() !== ")") {
      let atom = this.atom();
      const q = this.quantifier();
      if (q !== null) {
        if (atom.k === "assert" || atom.k === "look") {
          throw new UnsafeError("quantified assertion");
        }
        atom = { k: "repeat", child: atom, min: q.min, max: q.max, lazy: q.lazy };
      }
      items.push(atom);
    }
    return items.length === 1 ? items[0]! : { k: "seq", items };
  }

  private quantifier(): { min: number; max: number; lazy: boolean } | null {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === "*" || c === "+" || c === "?") {
      this.pos++;
      min = c === "+" ? 1 : 0;
      max = c === "?" ? 1 : Infinity;
    } else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (m === null) return null; // a literal "{" (Annex B)
      this.pos += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
      if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) {
        throw new UnsafeError(`repetition count above ${MAX_COUNT}`);
      }
    } else return null;
    let lazy = false;
    if (this.peek() === "?") {
      this.pos++;
      lazy = true;
    }
    return { min, max, lazy };
  }

  private atom(): Node {
    const start = this.pos;
    const c = this.src[this.pos++]!;
    switch (c) {
      case "(":
        return this.group();
      case "[":
        return this.charClass(start);
      case ".":
        return { k: "char", set: DOT, src: "." };
      case "^":
      case "$":
        return { k: "assert", src: c };
      case "\\":
        return this.escape(start);
      default:
        return this.literal(c.codePointAt(0)!, c);
    }
  }

  private literal(code: number, src: string): Node {
    const set = CharSet.of(code);
    return { k: "char", set: this.ignoreCase ? set.foldCase() : set, src };
  }

  private group(): Node {
    let open = "(";
    let look = false;
    const rest = this.src.slice(this.pos);
    const prefix = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(rest);
    if (prefix !== null) {
      open += prefix[0];
      this.pos += prefix[0].length;
      look = /^\?(?:=|!|<=|<!)$/.test(prefix[0]);
    } else if (rest.startsWith("?")) {
      throw new Error("unsupported group syntax");
    }
    const child = this.alternation();
    if (this.peek() !== ")") throw new Error("unterminated group");
    this.pos++;
    return look ? { k: "look", child, open } : { k: "group", child, open };
  }

  private escape(start: number): Node {
    const c = this.src[this.pos++];
    if (c === undefined) throw new Error("trailing backslash");
    const src = this.src.slice(start, this.pos);
    if (c === "b" || c === "B") return { k: "assert", src };
    if (/[1-9]/.test(c)) throw new UnsafeError("backreferences are not allowed");
    if (c === "k" && this.peek() === "<") throw new UnsafeError("backreferences are not allowed");
    const set = this.escapeSet(c);
    if (set !== null) return { k: "char", set, src };
    const code = this.escapeCode(c);
    const full = this.src.slice(start, this.pos);
    return { k: "char", set: this.ignoreCase ? CharSet.of(code).foldCase() : CharSet.of(code), src: full };
  }

  private escapeSet(c: string): CharSet | null {
    switch (c) {
      case "d":
        return DIGIT;
      case "D":
        return DIGIT.complement();
      case "w":
        return WORD;
      case "W":
        return WORD.complement();
      case "s":
        return SPACE;
      case "S":
        return SPACE.complement();
      default:
        return null;
    }
  }

  /** Code point of a single-character escape; advances past its digits. */
  private escapeCode(c: string): number {
    const hex = (n: number): number => {
      const h = this.src.slice(this.pos, this.pos + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) return c.charCodeAt(0);
      this.pos += n;
      return parseInt(h, 16);
    };
    switch (c) {
      case "n":
        return 10;
      case "r":
        return 13;
      case "t":
        return 9;
      case "f":
        return 12;
      case "v":
        return 11;
      case "0":
        return 0;
      case "x":
        return hex(2);
      case "u":
        return hex(4);
      case "c": {
        const l = this.src[this.pos];
        if (l !== undefined && /[A-Za-z]/.test(l)) {
          this.pos++;
          return l.charCodeAt(0) % 32;
        }
        return 92;
      }
      default:
        return c.codePointAt(0)!;
    }
  }

  private charClass(start: number): Node {
    let negate = false;
    if (this.peek() === "^") {
      negate = true;
      this.pos++;
    }
    const set = new CharSet();
    while (this.pos < this.src.length && this.peek() !== "]") {
      const lo = this.classAtom(set);
      if (lo !== null && this.peek() === "-" && this.src[this.pos + 1] !== "]" && this.pos + 1 < this.src.length) {
        this.pos++;
        const hi = this.classAtom(set);
        if (hi !== null) set.addRange(Math.min(lo, hi), Math.max(lo, hi));
        else {
          set.add(lo);
          set.add(45);
        }
      } else if (lo !== null) set.add(lo);
    }
    if (this.peek() !== "]") throw new Error("unterminated character class");
    this.pos++;
    let result = this.ignoreCase ? set.foldCase() : set;
    if (negate) result = result.complement();
    return { k: "char", set: result, src: this.src.slice(start, this.pos) };
  }

  /** One class member: returns its code point, or adds a class escape to `set` and returns null. */
  private classAtom(set: CharSet): number | null {
    const c = this.src[this.pos++]!;
    if (c !== "\\") return c.codePointAt(0)!;
    const e = this.src[this.pos++];
    if (e === undefined) throw new Error("trailing backslash");
    const esc = this.escapeSet(e);
    if (esc !== null) {
      set.addSet(esc);
      return null;
    }
    if (e === "b") return 8;
    return this.escapeCode(e);
  }
}

// ---- Safety analysis -------------------------------------------------------------------------------------

function containsRepeat(n: Node): boolean {
  switch (n.k) {
    case "repeat":
      return true;
    case "seq":
      return n.items.some(containsRepeat);
    case "alt":
      return n.branches.some(containsRepeat);
    case "group":
    case "look":
      return containsRepeat(n.child);
    default:
      return false;
  }
}

function nullable(n: Node): boolean {
  switch (n.k) {
    case "char":
      return false;
    case "assert":
    case "look":
      return true;
    case "seq":
      return n.items.every(nullable);
    case "alt":
      return n.branches.some(nullable);
    case "group":
      return nullable(n.child);
    case "repeat":
      return n.min === 0 || nullable(n.child);
  }
}

/** Characters that can begin a match of `n`. */
function firstSet(n: Node): CharSet {
  const s = new CharSet();
  switch (n.k) {
    case "char":
      s.addSet(n.set);
      break;
    case "seq":
      for (const item of n.items) {
        s.addSet(firstSet(item));
        if (!nullable(item)) break;
      }
      break;
    case "alt":
      for (const b of n.branches) s.addSet(firstSet(b));
      break;
    case "group":
    case "repeat":
      s.addSet(firstSet(n.child));
      break;
    default:
      break;
  }
  return s;
}

/** Every character `n` can consume anywhere. */
function allChars(n: Node): CharSet {
  const s = new CharSet();
  const walk = (x: Node): void => {
    switch (x.k) {
      case "char":
        s.addSet(x.set);
        break;
      case "seq":
        x.items.forEach(walk);
        break;
      case "alt":
        x.branches.forEach(walk);
        break;
      case "group":
      case "repeat":
        walk(x.child);
        break;
      default:
        break;
    }
  };
  walk(n);
  return s;
}

function isLong(n: Extract<Node, { k: "repeat" }>): boolean {
  return n.max === Infinity || n.max > LONG;
}

function checkSafety(root: Node): void {
  checkStructure(root, false, false);
  checkAmbiguity(root, []);
}

/** Rules 2, 3 and 5: nesting of repeats, alternation under repeats, repeats inside lookarounds. */
function checkStructure(n: Node, underRepeat: boolean, inLook: boolean): void {
  switch (n.k) {
    case "repeat": {
      if (n.max > 1 && containsRepeat(n.child)) {
        throw new UnsafeError("a quantifier is nested inside a repeated group, e.g. (a+)+ or (.*a){20}");
      }
      if (inLook && isLong(n)) {
        throw new UnsafeError("a lookaround contains an unbounded or long repeat, e.g. (?=.*x)");
      }
      if (n.max > 1 && nullable(n.child)) {
        throw new UnsafeError("a repeated group can match the empty string");
      }
      checkStructure(n.child, n.max > 1, inLook);
      return;
    }
    case "alt": {
      if (underRepeat) {
        const firsts = n.branches.map(firstSet);
        for (let i = 0; i < n.branches.length; i++) {
          if (nullable(n.branches[i]!)) {
            throw new UnsafeError("an alternative inside a repeated group can match the empty string");
          }
          for (let j = i + 1; j < n.branches.length; j++) {
            if (firsts[i]!.intersects(firsts[j]!)) {
              throw new UnsafeError("alternatives inside a repeated group overlap, e.g. (a|a)* or (a|ab)+");
            }
          }
        }
      }
      n.branches.forEach((b) => checkStructure(b, underRepeat, inLook));
      return;
    }
    case "seq":
      n.items.forEach((i) => checkStructure(i, underRepeat, inLook));
      return;
    case "group":
      checkStructure(n.child, underRepeat, inLook);
      return;
    case "look":
      checkStructure(n.child, underRepeat, true);
      return;
    default:
      return;
  }
}

/**
 * Rule 4. `open` holds the character sets of long repeats that may still be consuming when
 * matching reaches `n` (everything since them could have been consumed by them too). A long repeat
 * whose set meets an open set is ambiguous: the text between could be split between the two in
 * O(n) ways, and a failing match tries them all.
 */
function checkAmbiguity(n: Node, open: CharSet[]): CharSet[] {
  switch (n.k) {
    case "char":
      // Only repeats that could also consume this character stay open past it.
      return open.filter((s) => s.intersects(n.set));
    case "assert":
    case "look":
      return open;
    case "seq": {
      let cur = open;
      for (const item of n.items) cur = checkAmbiguity(item, cur);
      return cur;
    }
    case "alt": {
      const out: CharSet[] = [];
      for (const b of n.branches) out.push(...checkAmbiguity(b, open));
      return out;
    }
    case "group":
      return checkAmbiguity(n.child, open);
    case "repeat": {
      if (isLong(n)) {
        const set = allChars(n.child);
        for (const s of open) {
          if (s.intersects(set)) {
            throw new UnsafeError(
              "two unbounded repeats can match the same text in sequence, e.g. .*a.*b or \\w+\\d+; separate them with a character the first cannot match",
            );
          }
        }
        // The repeat consumes only characters outside every open set, so none stays open unless
        // the repeat may match nothing.
        return n.min === 0 ? [...open, set] : [set];
      }
      // Short repeats: constant work; pass the open sets through the body (or around it).
      const through = checkAmbiguity(n.child, open);
      return n.min === 0 ? [...open, ...through] : through;
    }
  }
}

/** Write the AST back as a pattern, capping unbounded quantifiers at MAX_REPEAT. */
function serialize(n: Node): string {
  switch (n.k) {
    case "char":
    case "assert":
      return n.src;
    case "seq":
      return n.items.map(serialize).join("");
    case "alt":
      return n.branches.map(serialize).join("|");
    case "group":
    case "look":
      return `${n.open}${serialize(n.child)})`;
    case "repeat": {
      const max = n.max === Infinity ? Math.max(n.min, MAX_REPEAT) : n.max;
      const q = n.min === 0 && max === 1 ? "?" : n.min === max ? `{${n.min}}` : `{${n.min},${max}}`;
      const child = n.child.k === "seq" || n.child.k === "alt" ? `(?:${serialize(n.child)})` : serialize(n.child);
      return `${child}${q}${n.lazy ? "?" : ""}`;
    }
  }
}
