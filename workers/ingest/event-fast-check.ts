// A fast path in front of zod for events that are valid, the usual case. Workers forbid runtime
// code generation, so zod runs its interpreted parser there: it checks every field through layers
// of closures and copies every object it validates, about 4 us per event. This module compiles the
// very same zod schemas (event-schema.ts, still the single source of truth) once, at load, into
// plain closures that only answer "zod would accept this, and hand back an equal value". When the
// answer is yes, ingest keeps the parsed JSON object as it is; when it is no, zod parses the event
// as before and its first issue becomes the rejection. So a rejection's code, path and message are
// always zod's, and the fast path can only ever save work, never change an outcome.
//
// The compiler understands the constructs event-schema.ts uses. Anything else compiles to a check
// that always says no, which falls back to zod (correct, only slower); a test asserts that every
// event type compiles without such a fallback, and a differential test holds the answers to zod's.
import type { z } from "zod";

type Check = (value: unknown) => boolean;

/** The zod 4 definition fields this compiler reads. */
interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, z.core.$ZodType>;
  catchall?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  discriminator?: string;
  element?: z.core.$ZodType;
  keyType?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  fn?: (value: unknown) => unknown;
  /** String formats (z.iso.datetime() and the like) are string schemas that are their own check. */
  check?: string;
  format?: string;
  pattern?: RegExp;
}

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}

const defOf = (schema: z.core.$ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const NEVER: Check = () => false;

/**
 * Objects zod would treat exactly like this check does: plain (JSON.parse's), and without an own
 * `__proto__` key, which zod drops from records, so the input would no longer equal zod's output.
 */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(value, "__proto__");
}

function lengthChecks(checks: Def["checks"]): { min: number; max: number } | null {
  let min = 0;
  let max = Infinity;
  for (const { _zod } of checks ?? []) {
    const c = _zod.def;
    if (c.check === "min_length") min = Math.max(min, c.minimum!);
    else if (c.check === "max_length") max = Math.min(max, c.maximum!);
    else return null;
  }
  return { min, max };
}

const usablePattern = (p: unknown): p is RegExp => p instanceof RegExp && !p.global && !p.sticky;

function compileString(def: Def): Check {
  const patterns: RegExp[] = [];
  if (def.check !== undefined || def.format !== undefined) {
    if (def.check !== "string_format" || !usablePattern(def.pattern)) return NEVER;
    patterns.push(def.pattern);
  }
  const others: Def["checks"] = [];
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check !== "string_format") others.push(check);
    else if (usablePattern(c.pattern)) patterns.push(c.pattern);
    else return NEVER;
  }
  const lengths = lengthChecks(others);
  if (lengths === null) return NEVER;
  const { min, max } = lengths;
  return (v) => {
    if (typeof v !== "string" || v.length < min || v.length > max) return false;
    for (const p of patterns) if (!p.test(v)) return false;
    return true;
  };
}

function compileNumber(def: Def): Check {
  let safeInt = false;
  const bounds: Check[] = [];
  for (const { _zod } of def.checks ?? []) {
    const { check, format, value, inclusive } = _zod.def;
    if (check === "number_format" && format === "safeint") safeInt = true;
    else if (check === "greater_than" && typeof value === "number") bounds.push(inclusive ? (v) => (v as number) >= value : (v) => (v as number) > value);
    else if (check === "less_than" && typeof value === "number") bounds.push(inclusive ? (v) => (v as number) <= value : (v) => (v as number) < value);
    else return NEVER;
  }
  // zod's number type itself refuses NaN and the infinities.
  return (v) => {
    if (typeof v !== "number" || !Number.isFinite(v) || (safeInt && !Number.isSafeInteger(v))) return false;
    for (const b of bounds) if (!b(v)) return false;
    return true;
  };
}

function compileObject(def: Def): Check {
  // Only loose objects: unknown keys are kept, as they are in the input.
  if (def.catchall === undefined || defOf(def.catchall).type !== "unknown" || def.shape === undefined) return NEVER;
  const fields = Object.entries(def.shape).map(([key, schema]) => {
    const d = defOf(schema);
    return { key, optional: d.type === "optional", check: compile(d.type === "optional" ? d.innerType! : schema) };
  });
  return (v) => {
    if (!isPlainRecord(v)) return false;
    for (const f of fields) {
      const value = v[f.key];
      if (value === undefined ? !f.optional : !f.check(value)) return false;
    }
    return true;
  };
}

/** Compiles one schema; constructs it does not know compile to NEVER (zod decides). */
export function compile(schema: z.core.$ZodType): Check {
  const def = defOf(schema);
  switch (def.type) {
    case "string":
      return compileString(def);
    case "number":
      return compileNumber(def);
    case "boolean":
      return def.checks?.length ? NEVER : (v) => typeof v === "boolean";
    case "literal": {
      const values = new Set(def.values);
      return (v) => values.has(v);
    }
    case "enum": {
      const values = new Set(Object.values(def.entries ?? {}));
      return (v) => values.has(v as string);
    }
    case "custom": {
      const fn = def.fn;
      // z.custom() with a predicate and no further checks: the predicate is the whole check.
      if (typeof fn !== "function" || def.checks?.length) return NEVER;
      return (v) => {
        const verdict = fn(v);
        return !(verdict instanceof Promise) && Boolean(verdict);
      };
    }
    case "object":
      return compileObject(def);
    case "array": {
      const lengths = lengthChecks(def.checks);
      if (lengths === null || def.element === undefined) return NEVER;
      const element = compile(def.element);
      return (v) => {
        if (!Array.isArray(v) || v.length < lengths.min || v.length > lengths.max) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case "record": {
      if (def.keyType === undefined || def.valueType === undefined || defOf(def.keyType).type !== "string" || defOf(def.keyType).checks?.length) return NEVER;
      const value = compile(def.valueType);
      return (v) => {
        if (!isPlainRecord(v)) return false;
        for (const key in v) if (Object.hasOwn(v, key) && !value(v[key])) return false;
        return true;
      };
    }
    case "optional": {
      const inner = compile(def.innerType!);
      return (v) => v === undefined || inner(v);
    }
    case "union": {
      const options = (def.options ?? []).map(compile);
      if (def.discriminator === undefined) return (v) => options.some((o) => o(v));
      // A discriminated union: one option per literal value of the discriminator.
      const key = def.discriminator;
      const byValue = new Map<unknown, Check>();
      for (const [i, option] of (def.options ?? []).entries()) {
        const tag = defOf(option).shape?.[key];
        if (tag === undefined || defOf(tag).type !== "literal") return NEVER;
        for (const value of defOf(tag).values ?? []) byValue.set(value, options[i]!);
      }
      return (v) => isPlainRecord(v) && (byValue.get(v[key]) ?? NEVER)(v);
    }
    default:
      return NEVER;
  }
}

/** Whether `compile` fell back anywhere under `schema` (tests: every event type must compile whole). */
export function fallsBack(schema: z.core.$ZodType): boolean {
  const probe = (s: z.core.$ZodType): boolean => {
    const def = defOf(s);
    const self = compile(s) === NEVER;
    if (self) return true;
    switch (def.type) {
      case "object":
        return Object.values(def.shape ?? {}).some(probe);
      case "array":
        return probe(def.element!);
      case "record":
        return probe(def.valueType!);
      case "optional":
        return probe(def.innerType!);
      case "union":
        return (def.options ?? []).some(probe);
      default:
        return false;
    }
  };
  return probe(schema);
}
