// Small string helpers shared by the scanners. Everything here is linear in its input and bounded
// by the callers (they pass candidate tokens, not whole documents).

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const n = value.length;
  for (const c of counts.values()) {
    const p = c / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

// Words that mark a value as documentation filler rather than a credential. Matched
// case-insensitively as substrings of the value, so they must be specific enough not to occur in
// random base62 (each is >= 5 letters, and a 40-character random token contains a given 5-letter
// word with probability ~1e-7).
const PLACEHOLDER_WORDS = [
  "example",
  "placeholder",
  "your_",
  "your-",
  "yourkey",
  "yourtoken",
  "yourpass",
  "yoursecret",
  "changeme",
  "change_me",
  "replace",
  "redacted",
  "dummy",
  "notreal",
  "not_real",
  "not-a-real",
  "notarealkey",
  "fakekey",
  "fake",
  "sample",
  "insert",
  "xxxxx",
  "*****",
  ".....",
  "<your",
  "todo",
  "secret_here",
  "key_here",
  "token_here",
];

/**
 * True when a candidate credential is filler: documentation placeholders (`xxxx`, `YOUR_KEY`,
 * `<token>`, `${VAR}`), the vendors' documented example values (e.g. AWS's `...EXAMPLE`), and
 * low-diversity bodies such as `AAAAAAAA` or `AAAA-BBBB`. A real random credential of 16+
 * characters essentially never has its most common character making up half of it, so this
 * costs no recall on real secrets.
 */
export function isPlaceholder(value: string): boolean {
  if (value.length === 0) return true;
  const lower = value.toLowerCase();
  for (const w of PLACEHOLDER_WORDS) if (lower.includes(w)) return true;
  if (/\$\{|\{\{|\$\(|%\(|<[a-z_ -]+>|^\{[^}]*\}$|^%s$/i.test(value)) return true;
  return isLowDiversity(value);
}

/** The alphanumeric characters of the value are dominated by one or two symbols. */
export function isLowDiversity(value: string): boolean {
  const counts = new Map<string, number>();
  let total = 0;
  for (const ch of value) {
    if (!/[A-Za-z0-9]/.test(ch)) continue;
    total++;
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  if (total === 0) return true;
  if (counts.size <= 2 && total >= 4) return true;
  if (total < 12) return counts.size <= 1;
  let max = 0;
  for (const c of counts.values()) max = Math.max(max, c);
  return max / total >= 0.5;
}

/** Decode base64 or base64url to a byte string; null when it is not valid base64. */
export function decodeBase64(input: string): string | null {
  let s = input.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(s)) return null;
  if (s.length % 4 === 1) return null;
  while (s.length % 4 !== 0) s += "=";
  try {
    return atob(s);
  } catch {
    return null;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decode base64/base64url to UTF-8 text; null when not base64 or not valid UTF-8. */
export function decodeBase64Utf8(input: string): string | null {
  const bin = decodeBase64(input);
  if (bin === null) return null;
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** True when the base64 value decodes to a JSON object (JWT headers, 1Password/Grafana tokens). */
export function base64DecodesToJsonObject(input: string): boolean {
  const text = decodeBase64Utf8(input);
  if (text === null) return false;
  const t = text.trim();
  if (!t.startsWith("{")) return false;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Share of characters that are printable ASCII or common whitespace. */
export function printableRatio(text: string): number {
  if (text.length === 0) return 0;
  let ok = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) ok++;
  }
  return ok / text.length;
}

/** The value is base64 of ordinary prose (e.g. `ZHVtbXkgdGV4dA==` = "dummy text"), not key material. */
export function isBase64OfProse(value: string): boolean {
  if (value.length < 12 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return false;
  const text = decodeBase64(value);
  if (text === null || text.length < 8) return false;
  if (printableRatio(text) < 0.97) return false;
  const spaces = (text.match(/ /g) ?? []).length;
  return spaces >= 2 && /^[A-Za-z0-9 .,;:'"!?()\-\n]+$/.test(text);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** Counts of character classes present: lower, upper, digit, other. */
export function charClassCount(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/**
 * Undo one level of JSON string escaping (`\"`, `\n`, `\\`) so detectors that read code see it as
 * written. Tool arguments often arrive as JSON-encoded strings. Detection only: redaction always
 * works on the original string.
 */
export function softUnescape(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(/\\(["\\/nrt])/g, (_m, c: string) =>
    c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c,
  );
}
