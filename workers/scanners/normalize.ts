// Text normalisation for the prompt-injection detector. Attackers hide instructions from keyword
// filters with invisible characters, look-alike letters, spacing and encodings; matching runs on
// the text as a reader (or a tokenizer) would see it.

/** Normalised views of one string. */
export interface NormalizedText {
  /** NFKC, confusables folded, invisibles removed, whitespace collapsed; case preserved. */
  cased: string;
  /** `cased` lowercased. */
  lower: string;
  /** Text hidden in Unicode tag characters (U+E0020..U+E007E map to ASCII), or "" if none. */
  hiddenTagText: string;
  /** Decoded payloads (base64, hex, percent-encoding) that read as text, normalised and lowercased. */
  decoded: string[];
  /** False only when `lower` certainly has no leetspeak for `deleet` to undo (no digit or symbol next to a letter). */
  mayHoldLeet: boolean;
}

// Zero-width and formatting characters that render as nothing: ZWSP/ZWNJ/ZWJ, LRM/RLM, bidi
// embeddings and isolates, word joiner and invisible operators, BOM, soft hyphen, Mongolian vowel
// separator, combining grapheme joiner, Hangul fillers, variation selectors.
// Built from code points: several are combining characters, which a regex literal's character
// class would visually merge with their neighbours.
const INVISIBLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad], [0x034f, 0x034f], [0x061c, 0x061c], [0x115f, 0x1160], [0x17b4, 0x17b5], [0x180b, 0x180f],
  [0x200b, 0x200f], [0x202a, 0x202e], [0x2060, 0x206f], [0x3164, 0x3164], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
  [0xffa0, 0xffa0], [0xe0100, 0xe01ef],
];
const hex = (cp: number): string => `\\u{${cp.toString(16)}}`;
const INVISIBLE = new RegExp(`[${INVISIBLE_RANGES.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join("")}]`, "gu");

// Latin look-alikes from Cyrillic, Greek and other scripts that NFKC leaves alone (the subset of
// Unicode's confusables.txt that maps to ASCII letters and matters for English keywords).
const CONFUSABLES: Record<string, string> = {
  а: "a", в: "b", е: "e", ё: "e", к: "k", м: "m", н: "h", о: "o", р: "p", с: "c", т: "t", у: "y", х: "x",
  ѕ: "s", і: "i", ї: "i", ј: "j", һ: "h", ԁ: "d", ԛ: "q", ԝ: "w", ɡ: "g", ӏ: "l", ո: "n", ս: "u",
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", Х: "X", Ѕ: "S",
  І: "I", Ј: "J", Ү: "Y", Ԁ: "D", Ԛ: "Q", Ԝ: "W",
  α: "a", ε: "e", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x", ϲ: "c", ϳ: "j",
  Α: "A", Β: "B", Ε: "E", Ζ: "Z", Η: "H", Ι: "I", Κ: "K", Μ: "M", Ν: "N", Ο: "O", Ρ: "P", Τ: "T",
  Υ: "Y", Χ: "X", Ϲ: "C",
  ı: "i", ȷ: "j", ℓ: "l", "ß": "ss", "ſ": "s",
  // Typographic quotes and dashes read as their ASCII forms.
  "\u2018": "'", "\u2019": "'", "\u201B": "'", "\u2032": "'", "\u201C": '"', "\u201D": '"', "\u201E": '"', "\u2033": '"',
  "\u2013": "-", "\u2014": "-", "\u2212": "-",
};
const CONFUSABLE_RE = new RegExp(`[${Object.keys(CONFUSABLES).join("")}]`, "g");

// Digits and symbols used as letters ("1gn0re", "pr0mpt", "$ystem").
const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s" };

/** Bound on decoding work per string: candidates tried and bytes decoded. */
const MAX_DECODE_CANDIDATES = 8;
const MAX_DECODE_CHARS = 8192;

export function normalizeForMatching(text: string): NormalizedText {
  const shape = shapeOf(text);
  // Plain ASCII text with only single spaces and no spaced letters is its own normal form: the
  // common case (most prose) skips every rewriting step. Held to the full path by a test.
  if (!shape.nonAscii && !shape.irregularSpace && !shape.maySpaceLetters) {
    return {
      cased: text,
      lower: text.toLowerCase(),
      hiddenTagText: "",
      decoded: shape.mayHoldPayload ? decodePayloads(text) : [],
      mayHoldLeet: shape.mayHoldLeet,
    };
  }
  return normalizeFully(text, shape);
}

/** Every normalisation step; `normalizeForMatching` skips the ones that cannot change the text. */
export function normalizeFully(text: string, shape: TextShape = shapeOf(text)): NormalizedText {
  let hiddenTagText = "";
  let s = text;
  // Tags, invisibles, confusables and accents are all outside ASCII, and NFKC leaves ASCII as it
  // is: ASCII text needs only the whitespace and spaced-letter steps.
  if (shape.nonAscii) {
    if (/\uDB40[\uDC00-\uDC7F]/.test(s)) {
      const extracted = extractTagText(s);
      s = extracted.visible;
      hiddenTagText = extracted.hidden;
    }
    s = s.replace(INVISIBLE, "");
    s = s.normalize("NFKC");
    s = s.replace(CONFUSABLE_RE, (c) => CONFUSABLES[c] ?? c);
    // Accents on Latin letters ("ignóre"): decompose and drop combining marks.
    if (/[\u00C0-\u024F\u1E00-\u1EFF]/.test(s)) s = s.normalize("NFKD").replace(/[\u0300-\u036F]/g, "");
  }
  s = s.replace(/\s+/g, " ");
  s = joinSpacedLetters(s);
  const lower = s.toLowerCase();
  return { cased: s, lower, hiddenTagText, decoded: shape.mayHoldPayload ? decodePayloads(text) : [], mayHoldLeet: true };
}

/** Per ASCII code: 1 for a base64 candidate character ([A-Za-z0-9+/_-]), 2 for "%". */
const PAYLOAD_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 95 || c === 45) PAYLOAD_CHAR[c] = 1;
}
PAYLOAD_CHAR[37] = 2;

/** Per ASCII code: LETTER for [A-Za-z], LEET_SYMBOL for the digits and symbols deleet() reads as letters. */
const LETTER = 1;
const LEET_SYMBOL = 2;
const LEET_CLASS = new Uint8Array(128);
for (let c = 65; c <= 90; c++) LEET_CLASS[c] = LEET_CLASS[c + 32] = LETTER;
for (const ch of "0134578@$") LEET_CLASS[ch.charCodeAt(0)] = LEET_SYMBOL;

/** Per ASCII code: 1 for a regex word character ([A-Za-z0-9_]). */
const WORD_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) WORD_CHAR[c] = 1;

/** What one pass over a string tells normalisation about which steps can change it. */
interface TextShape {
  nonAscii: boolean;
  /** Whether decodePayloads could find anything: it needs 24 base64 characters in a row (hex
   * candidates are 32 hex digits, a subset) or a "%"; most prose has neither. */
  mayHoldPayload: boolean;
  /** ASCII whitespace other than single spaces: tabs, newlines, runs of spaces (collapsed). */
  irregularSpace: boolean;
  /** "x y " (two one-character words each followed by a space): joinSpacedLetters needs it. */
  maySpaceLetters: boolean;
  /** A letter next to a leet digit or symbol: deleet needs it (only meaningful for ASCII text). */
  mayHoldLeet: boolean;
}

function shapeOf(text: string): TextShape {
  let nonAscii = false;
  let percent = false;
  let irregularSpace = false;
  let maySpaceLetters = false;
  let mayHoldLeet = false;
  let previousClass = 0;
  let run = 0;
  let longest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      nonAscii = true;
      run = 0;
      previousClass = 0;
      continue;
    }
    const leetClass = LEET_CLASS[c]!;
    if ((leetClass | previousClass) === (LETTER | LEET_SYMBOL)) mayHoldLeet = true;
    previousClass = leetClass;
    const kind = PAYLOAD_CHAR[c]!;
    if (kind === 1) {
      if (++run > longest) longest = run;
      continue;
    }
    run = 0;
    if (kind === 2) percent = true;
    else if (c === 32) {
      if (i > 0 && text.charCodeAt(i - 1) === 32) irregularSpace = true;
      else if (i >= 3 && text.charCodeAt(i - 2) === 32 && WORD_CHAR[text.charCodeAt(i - 1)] === 1 && WORD_CHAR[text.charCodeAt(i - 3)] === 1) maySpaceLetters = true;
    } else if (c >= 9 && c <= 13) irregularSpace = true;
  }
  return { nonAscii, mayHoldPayload: percent || longest >= 24, irregularSpace, maySpaceLetters, mayHoldLeet };
}

/** "i g n o r e  a l l" -> "ignore all": runs of 4+ single letters separated by single spaces. */
function joinSpacedLetters(s: string): string {
  if (!/(?:\b\w [\w] ){2}/.test(s)) return s;
  return s.replace(/\b(?:[A-Za-z] ){3,}[A-Za-z]\b/g, (run) => run.replace(/ /g, ""));
}

/** Replace digit/symbol letters inside mixed tokens ("1gn0re" -> "ignore"); null if none. */
export function deleet(lower: string): string | null {
  if (!/[a-z][0134578@$]|[0134578@$][a-z]/.test(lower)) return null;
  const out = lower.replace(/[a-z0-9@$]*[a-z][a-z0-9@$]*/g, (tok) =>
    /[0134578@$]/.test(tok) && /[a-z]{2}/.test(tok) ? tok.replace(/[0134578@$]/g, (c) => LEET[c] ?? c) : tok,
  );
  return out === lower ? null : out;
}

/**
 * Unicode tag characters (U+E0000 block) mirror ASCII and are invisible: "ASCII smuggling".
 * A flag emoji (U+1F3F4 followed by tags and the cancel tag U+E007F) is the one legitimate use.
 */
function extractTagText(s: string): { visible: string; hidden: string } {
  let visible = "";
  let hidden = "";
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const cp = ch.codePointAt(0)!;
    if (cp === 0x1f3f4) {
      // Keep the flag sequence intact; it is not hidden text.
      let j = i + 1;
      while (j < chars.length && isTag(chars[j]!.codePointAt(0)!)) j++;
      visible += chars.slice(i, j).join("");
      i = j - 1;
      continue;
    }
    if (isTag(cp)) {
      if (cp >= 0xe0020 && cp <= 0xe007e) hidden += String.fromCharCode(cp - 0xe0000);
      continue;
    }
    visible += ch;
  }
  return { visible, hidden };
}

function isTag(cp: number): boolean {
  return cp >= 0xe0000 && cp <= 0xe007f;
}

const BASE64_CANDIDATE = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const HEX_CANDIDATE = /(?:[0-9a-fA-F]{2}){16,}/g;

/**
 * Decode embedded base64, hex and percent-encoded payloads that turn out to be readable text (an
 * instruction hidden from keyword filters). Bounded: at most MAX_DECODE_CANDIDATES tokens, each at
 * most MAX_DECODE_CHARS, one level deep.
 */
function decodePayloads(text: string): string[] {
  const out: string[] = [];
  let tried = 0;
  for (const re of [BASE64_CANDIDATE, HEX_CANDIDATE]) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null && tried < MAX_DECODE_CANDIDATES) {
      const token = m[0];
      if (token.length > MAX_DECODE_CHARS) continue;
      // Base64 of prose always mixes cases; a lowercase-only or digits-heavy token is an id or hash.
      if (re === BASE64_CANDIDATE && !(/[a-z]/.test(token) && /[A-Z]/.test(token))) continue;
      tried++;
      const decoded = re === BASE64_CANDIDATE ? decodeBase64Text(token) : decodeHexText(token);
      if (decoded !== null) out.push(normalizeDecoded(decoded));
    }
  }
  if (/(?:%[0-9a-fA-F]{2}.?){6,}/.test(text)) {
    try {
      const decoded = decodeURIComponent(text.slice(0, MAX_DECODE_CHARS));
      if (decoded !== text) out.push(normalizeDecoded(decoded));
    } catch {
      // Malformed escapes: nothing to decode.
    }
  }
  return out;
}

function normalizeDecoded(s: string): string {
  return s.replace(INVISIBLE, "").normalize("NFKC").replace(/\s+/g, " ").toLowerCase();
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function readable(text: string): boolean {
  // Prose: mostly letters and spaces, several words.
  if (text.length < 12) return false;
  let letters = 0;
  let spaces = 0;
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    else if (c === 32) spaces++;
    else if (c < 32 && c !== 10 && c !== 13 && c !== 9) control++;
  }
  return control === 0 && spaces >= 2 && (letters + spaces) / text.length > 0.7;
}

function decodeBase64Text(token: string): string | null {
  let s = token.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (s.length % 4 === 1) return null;
  while (s.length % 4 !== 0) s += "=";
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  try {
    const text = decoder.decode(bytes);
    return readable(text) ? text : null;
  } catch {
    return null;
  }
}

function decodeHexText(token: string): string | null {
  const bytes = new Uint8Array(token.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(token.slice(i * 2, i * 2 + 2), 16);
  try {
    const text = decoder.decode(bytes);
    return readable(text) ? text : null;
  } catch {
    return null;
  }
}
