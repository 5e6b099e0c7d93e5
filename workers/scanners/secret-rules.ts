// Built-in data-leakage rules: one entry per credential or personal-data format.
//
// Cost model: every rule names lowercase `keywords`; a rule's regex runs on a string only when the
// string contains one of them, ignoring case (the keyword prefilter of gitleaks and trufflehog).
// All keywords are found in one pass (keyword-automaton.ts), so breadth costs nothing per string.
// Rules without a keyword (SSNs, card numbers, Discord and Twilio tokens) state what the string
// must have for them to match at all (`needs`: enough digits, a long enough token), counted in
// that same pass. No built-in regex nests quantifiers or puts two unbounded,
// overlapping quantifiers in sequence, so each runs in time linear in the string.
//
// Precision: `validate` rejects placeholders (`isPlaceholder`), documented example values and
// structurally invalid candidates (JWT header not JSON, card number failing Luhn, SSN out of the
// issued ranges). Public identifiers (AWS account ids, Azure tenant/client ids, Stripe test
// publishable keys) are deliberately not rules.
import type { TextFacts } from "./keyword-automaton.ts";
import type { Severity } from "./types.ts";
import {
  base64DecodesToJsonObject,
  charClassCount,
  isBase64OfProse,
  isUuid,
  decodeBase64,
  isLowDiversity,
  isPlaceholder,
  luhnValid,
  shannonEntropy,
} from "./text-utils.ts";

export interface SecretRule {
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  /** Lowercase substrings; the regex runs only if one occurs. Empty = always run. */
  readonly keywords: readonly string[];
  /** Global regex. The secret is the named group `s` when present, else the whole match. */
  readonly pattern?: RegExp;
  /** Procedural finder used instead of `pattern` (returns [start, end) spans of secret values). */
  readonly find?: (text: string) => Array<readonly [number, number]>;
  /** Extra check on the secret value (and, for context rules, the whole match and text). */
  readonly validate?: (value: string, text: string, index: number) => boolean;
  /** Prefix length ignored by the placeholder check (the fixed vendor prefix). */
  readonly prefix?: number;
  /** Higher wins when two rules overlap (specific formats beat generic ones). */
  readonly priority?: number;
  /** A necessary condition checked before the regex runs (facts from the keyword pass). */
  readonly needs?: (facts: TextFacts) => boolean;
}

// Values that vendors print in their own documentation; treated as placeholders (decision recorded
// in docs/detection-quality.md: a documented example is public, not a leak).
const DOCUMENTED_EXAMPLES = new Set([
  "AKIAIOSFODNN7EXAMPLE",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
  "pk_test_TYooMQauvdEDq54NiTphI7jx",
]);

// Well-known test card numbers published by card networks and payment processors.
const TEST_CARD_NUMBERS = new Set([
  "4242424242424242",
  "4111111111111111",
  "4012888888881881",
  "4000056655665556",
  "5555555555554444",
  "5105105105105100",
  "5200828282828210",
  "378282246310005",
  "371449635398431",
  "6011111111111117",
  "6011000990139424",
  "3056930009020004",
  "36227206271667",
  "3566002020360505",
  "4000000000000002",
  "4000000000000077",
  "4000000000009995",
]);

// SSNs printed in textbooks and advertisements (e.g. the Woolworth wallet card) or used as filler.
const EXAMPLE_SSNS = new Set(["078-05-1120", "219-09-9999", "123-45-6789", "111-11-1111", "457-55-5462"]);

function notPlaceholder(prefix: number) {
  return (value: string): boolean =>
    !DOCUMENTED_EXAMPLES.has(value) && !isPlaceholder(value.slice(prefix));
}

/** Token with a fixed vendor prefix: `(?<![A-Za-z0-9_])PREFIX BODY(?![A-Za-z0-9_])`. */
function prefixed(
  id: string,
  severity: Severity,
  description: string,
  prefix: string,
  body: string,
  opts: { keywords?: string[]; tail?: string; boundary?: string; caseInsensitivePrefix?: boolean } = {},
): SecretRule {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const boundary = opts.boundary ?? "A-Za-z0-9_";
  const tail = opts.tail ?? `(?![${boundary}])`;
  return {
    id,
    severity,
    description,
    keywords: opts.keywords ?? [prefix.toLowerCase()],
    pattern: new RegExp(`(?<![${boundary}])${escaped}${body}${tail}`, "g"),
    validate: notPlaceholder(prefix.length),
    prefix: prefix.length,
    priority: 10,
  };
}

function jwtValid(value: string): boolean {
  const parts = value.split(".");
  const [header, payload] = parts;
  if (header === undefined || payload === undefined) return false;
  return base64DecodesToJsonObject(header) && base64DecodesToJsonObject(payload);
}

function ssnValid(value: string): boolean {
  if (EXAMPLE_SSNS.has(value.replace(/ /g, "-"))) return false;
  const digits = value.replace(/\D/g, "");
  const area = Number(digits.slice(0, 3));
  const group = digits.slice(3, 5);
  const serial = digits.slice(5);
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === "00" || serial === "0000") return false;
  return !isLowDiversity(digits);
}

const CARD_CONTEXT = /card|credit|debit|\bcc\b|\bpan\b|visa|mastercard|amex|discover|payment|cvv|expir/i;

function cardIssuerValid(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  const p6 = Number(d.slice(0, 6));
  if (d[0] === "4") return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925))
    return n >= 16 && n <= 19; // Discover
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  if (p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) return n >= 14 && n <= 19; // Diners
  if (p2 === 62) return n >= 16 && n <= 19; // UnionPay
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 12 && n <= 19; // Maestro
  return false;
}

function cardValid(value: string, text: string, index: number): boolean {
  const seps = value.match(/[ -]/g);
  if (seps !== null && new Set(seps).size > 1) return false; // mixed separators: not a card layout
  const digits = value.replace(/[ -]/g, "");
  if (digits.length < 13 || digits.length > 19) return false;
  if (TEST_CARD_NUMBERS.has(digits) || isLowDiversity(digits)) return false;
  if (!cardIssuerValid(digits) || !luhnValid(digits)) return false;
  if (seps === null && digits.length !== 15 && digits.length !== 16) {
    // Unseparated 13/14/17-19 digit runs are mostly ids and timestamps: require card wording nearby.
    const around = text.slice(Math.max(0, index - 64), index + value.length + 32);
    return CARD_CONTEXT.test(around);
  }
  return true;
}

function ethKeyValid(value: string, text: string, index: number): boolean {
  if (isLowDiversity(value.slice(2))) return false;
  // A bare 0x + 64 hex is also a transaction or block hash; only key wording nearby makes it a key.
  const around = text.slice(Math.max(0, index - 120), index + value.length + 120).toLowerCase();
  return /priv(?:ate)?[ _-]?key|privkey|secret|wallet|mnemonic|seed phrase|signer/.test(around);
}

function awsSecretValid(value: string): boolean {
  if (DOCUMENTED_EXAMPLES.has(value) || isPlaceholder(value)) return false;
  // Random base64 of 40 chars: mixed case, digits, entropy well above 4 bits/char.
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value) && shannonEntropy(value) > 3.8;
}

function base64BlobValid(value: string): boolean {
  return !isPlaceholder(value) && shannonEntropy(value) > 4.0;
}

function kubeKeyValid(value: string): boolean {
  const decoded = decodeBase64(value.slice(0, 64));
  return decoded !== null && /PRIVATE KEY/.test(decoded);
}

// Connection-string and URL credentials share one check: the password part must not be filler.
const WEAK_PASSWORDS = new Set([
  "password",
  "passwd",
  "pass",
  "pwd",
  "1234",
  "12345",
  "123456",
  "qwerty",
  "letmein",
  "abc123",
  "foobar",
  "secret",
  "changeme",
  "pass123",
  "example",
  "admin",
  "root",
  "test",
  "user",
  "guest",
  "null",
  "none",
]);

/** Validate `user:password` (both already URL-decoded or raw). */
export function credentialPairValid(user: string, password: string): boolean {
  if (password.length < 4 || password.length > 256) return false;
  const lower = password.toLowerCase();
  if (WEAK_PASSWORDS.has(lower) || lower.includes("password") || lower === user.toLowerCase()) return false;
  if (/^[$%{<(]|\$\{|\$\(|\{\{|^\*+$|^x+$|^\.+$/i.test(password)) return false;
  if (isPlaceholder(password) || isPlaceholder(user)) return false;
  if (/^(?:your|my)[_-]?/i.test(user) && /^(?:your|my)[_-]?/i.test(password)) return false;
  return true;
}

function urlCredentialsValid(value: string): boolean {
  const colon = value.indexOf(":");
  if (colon <= 0) return false;
  const user = value.slice(0, colon);
  const password = value.slice(colon + 1);
  // GitHub-style token URLs put the token in the user part and a fixed word in the password part.
  if (/^x-oauth-basic$|^x-access-token$/i.test(password)) return user.length >= 20 && !isPlaceholder(user);
  if (/^(?:x-access-token|oauth2|x-token-auth|gitlab-ci-token)$/i.test(user))
    return password.length >= 16 && !isPlaceholder(password);
  return credentialPairValid(user, password);
}

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-{3,5}END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-{3,5}/g;
const MAX_PEM = 20_000;

// One line of a cut-off key block: base64 (or a `Name: value` header), ended by a real or
// JSON-escaped newline.
const PEM_LINE = /[ \t]*(?:[A-Za-z0-9+/=]{1,20000}|[A-Za-z-]{2,30}: [^\r\n\\]{0,200})(?:\r?\n|(?:\\r)?\\n)/y;
// The last, partial line of a cut-off block (ended by a quote, prose or the end of the string).
const PEM_TAIL = /[ \t]*[A-Za-z0-9+/=]{1,20000}(?=$|["'\\,}\]])/y;

/** End of the key material of a block that has no END line: consecutive base64 lines. */
function truncatedKeyEnd(text: string, from: number): number {
  let pos = from;
  // Skip the newline right after BEGIN (real or escaped).
  const first = /\r?\n|(?:\\r)?\\n/y;
  first.lastIndex = pos;
  if (first.exec(text) !== null) pos = first.lastIndex;
  const limit = Math.min(text.length, from + MAX_PEM);
  // End of the key material seen so far, excluding the newline that terminated its line.
  let contentEnd = from;
  while (pos < limit) {
    PEM_LINE.lastIndex = pos;
    const m = PEM_LINE.exec(text);
    if (m === null || m[0].length === 0) break;
    contentEnd = pos + m[0].replace(/(?:\r?\n|(?:\\r)?\\n)$/, "").length;
    pos = PEM_LINE.lastIndex;
  }
  PEM_TAIL.lastIndex = pos;
  if (PEM_TAIL.exec(text) !== null) contentEnd = PEM_TAIL.lastIndex;
  return contentEnd;
}

/**
 * PEM private-key blocks: BEGIN..END, or BEGIN plus the key material that follows when the block
 * was truncated. Only blocks carrying at least 64 base64 characters of key material count, so the
 * `...`, `***`, `xxx` and short-base64 placeholders of documentation are not secrets.
 */
function findPrivateKeyBlocks(text: string): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  // All END lines in one pass, then each BEGIN takes the first END after it: linear even for a
  // text made of thousands of BEGIN lines.
  const ends: Array<[number, number]> = [];
  PEM_END.lastIndex = 0;
  let e: RegExpExecArray | null;
  while ((e = PEM_END.exec(text)) !== null) ends.push([e.index, e.index + e[0].length]);
  let nextEnd = 0;
  PEM_BEGIN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PEM_BEGIN.exec(text)) !== null) {
    const start = m.index;
    const bodyStart = start + m[0].length;
    while (nextEnd < ends.length && ends[nextEnd]![0] < bodyStart) nextEnd++;
    const end0 = ends[nextEnd];
    let end: number;
    let body: string;
    const nextBegin = text.indexOf("-----BEGIN", bodyStart);
    if (end0 !== undefined && end0[0] - bodyStart <= MAX_PEM && (nextBegin === -1 || nextBegin >= end0[0])) {
      body = text.slice(bodyStart, end0[0]);
      end = end0[1];
    } else {
      end = truncatedKeyEnd(text, bodyStart);
      body = text.slice(bodyStart, end);
    }
    const material = body
      .replace(/\\[nr]/g, "\n")
      .replace(/^[A-Za-z-]+:.*$/gm, "")
      .replace(/[^A-Za-z0-9+/=]/g, "");
    if (material.length >= 64 && !isLowDiversity(material)) out.push([start, end]);
    PEM_BEGIN.lastIndex = Math.max(end, bodyStart);
  }
  return out;
}

// ---- Generic: a high-entropy value assigned to a key-like name -------------------------------------
//
// Procedural rather than one big regex: find a credential word, widen it to the whole identifier,
// then read an assignment (`=`, `:`, `:=`, `=>`, or a CLI flag followed by a value) and the value.
// Every step is a bounded scan, so the whole pass is linear in the text.

const GENERIC_WORD = /passw(?:or)?d|passphrase|pwd|secret|token|credential|api[_.-]?key|apikey|key|(?<![a-z])pw(?![a-z])|(?<![a-z])pass(?![a-z])/gi;
const NAME_CHAR = /[A-Za-z0-9_.-]/;
const PASSWORD_NAME = /passw(?:or)?d|passphrase|pwd|(?:^|[_.-])pw$|(?:^|[_.-])pass$/;
const SECRET_NAME =
  /secret|token|credential|api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?key|private[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|(?:^|[_.-])key$|[a-z0-9]key$|^--?[a-z-]*key$/;
// Names that contain a credential word but hold identifiers, counters, settings or public values.
const NAME_EXCLUDED =
  /(?:^|[_.-])(?:ids?|names?|types?|urls?|uris?|paths?|files?|filename|dir|count|counts|length|len|limit|limits|size|max|min|ttl|expiry|expires|expires_at|expiration|expire[sd]?_?(?:at|in)?|at|time|timestamp|header|field|param|prefix|suffix|format|env|var|hash|hashed|digest|salt|policy|rotation|version|enabled|required|endpoint|provider|label|hint|description|desc|regex|pattern|template|usage|budget|index|idx|position|offset|kind|mode|scopes?|method|strategy|storage|service|source|location|ref|arn|region|host|port|user|username|login|email|status|state|reset|length|strength|set|exists|present|changed|valid|expired|rotated|last4)$|public|publishable|pubkey|tokeni[sz]e|tokens$|tokens[_.-]|keyboard|keyspace|keystroke|keyword|keycode|keyframe|keypair|key[_.-]?pair|monkey|turkey|donkey|hockey|whiskey|jockey|primary[_.-]?key|foreign[_.-]?key|sort[_.-]?key|partition[_.-]?key|range[_.-]?key|hash[_.-]?key|cache[_.-]?key|idempotency[_.-]?key|row[_.-]?key|object[_.-]?key|s3[_.-]?key|bucket[_.-]?key|dedup|lookup[_.-]?key|map[_.-]?key|dict[_.-]?key|sharding[_.-]?key|routing[_.-]?key|group[_.-]?key|unique[_.-]?key|composite[_.-]?key|key[_.-]?id|keyid|next[_.-]?token|page[_.-]?token|continuation[_.-]?token|pagination[_.-]?token|sync[_.-]?token|cursor|csrf|xsrf|fake|dummy|example|sample|placeholder|mock|^has[_.-]?|^is[_.-]?|^no[_.-]?|forgot|confirm/;
const VALUE_WORDS = new Set([
  "true", "false", "null", "none", "nil", "undefined", "empty", "required", "optional", "string", "str",
  "int", "bool", "boolean", "any", "object", "hidden", "masked", "redacted", "secret", "password", "token",
  "value", "default", "unknown", "na", "n/a", "tbd", "env", "environment", "bearer", "basic",
]);
const VALUE_REFERENCE =
  /^(?:[$%{<@!&*#]|process\.env|os\.environ|os\.getenv|env\.|ENV\[|getenv|config\.|settings\.|self\.|this\.|params\.|args\.|options\.|opts\.|props\.|secrets\.|vars\.|context\.|ctx\.|request\.|req\.)/i;
const DOTTED_IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const PATH_LIKE = /^(?:[~.]{0,2}\/|[A-Za-z]:\\)|\.(?:json|pem|key|txt|ya?ml|env|crt|cer|p12|pfx|ini|cfg|conf|toml|js|ts|py|sh)$/i;
const WORDS_ONLY = /^[A-Za-z_-]+$/;

function genericValueValid(value: string, isPassword: boolean): boolean {
  if (value.length < (isPassword ? 6 : 8) || value.length > 256) return false;
  if (/\s/.test(value) || /[()]/.test(value)) return false;
  if (VALUE_WORDS.has(value.toLowerCase())) return false;
  if (VALUE_REFERENCE.test(value) || DOTTED_IDENTIFIER.test(value) || PATH_LIKE.test(value)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false; // URLs: url_credentials decides
  if (/^\d+$/.test(value) || isUuid(value) || /^\d{4}-\d\d-\d\d/.test(value)) return false;
  if (isPlaceholder(value) || isBase64OfProse(value)) return false;
  const entropy = shannonEntropy(value);
  if (WORDS_ONLY.test(value)) {
    // Letters only: identifiers (`userPassword`, `not_long_enough`) unless long and random.
    return value.length >= 20 && entropy >= 3.8 && !/^(?:[A-Z]?[a-z]+[_-]?)+$/.test(value);
  }
  if (isPassword) return charClassCount(value) >= 2 && entropy >= 2.3;
  return charClassCount(value) >= 2 && entropy >= 3.0;
}

function findGenericAssignments(text: string): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  GENERIC_WORD.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = GENERIC_WORD.exec(text)) !== null) {
    let nameStart = m.index;
    let nameEnd = m.index + m[0].length;
    while (nameStart > 0 && m.index - nameStart < 64 && NAME_CHAR.test(text[nameStart - 1] ?? "")) nameStart--;
    while (nameEnd < text.length && nameEnd - m.index < 64 && NAME_CHAR.test(text[nameEnd] ?? "")) nameEnd++;
    GENERIC_WORD.lastIndex = nameEnd;
    const name = text.slice(nameStart, nameEnd).toLowerCase().replace(/^[._]+|[._]+$/g, "");
    const isPassword = PASSWORD_NAME.test(name);
    if (!isPassword && !SECRET_NAME.test(name)) continue;
    if (name === "key" || name === "keys" || NAME_EXCLUDED.test(name)) continue;
    // Names owned by a specific rule: its stricter format check has the final say.
    if (name.includes("aws") && /secret|access[_.-]?key/.test(name)) continue;
    const span = readAssignedValue(text, nameEnd, name.startsWith("-"));
    if (span === null) continue;
    const value = text.slice(span[0], span[1]);
    if (genericValueValid(value, isPassword)) out.push(span);
    GENERIC_WORD.lastIndex = Math.max(GENERIC_WORD.lastIndex, span[1]);
  }
  return out;
}

const ASSIGN = /\\?["'`]?\]?\s{0,5}(?::=|=>|=(?!=)|:(?![:/]))\s{0,5}/y;
const CLI_GAP = /(?:=|\s{1,3})/y;

/** After a key-like name: the assignment operator, then a quoted or bare value. */
function readAssignedValue(text: string, at: number, cliFlag: boolean): readonly [number, number] | null {
  let pos: number;
  ASSIGN.lastIndex = at;
  if (ASSIGN.exec(text) !== null) pos = ASSIGN.lastIndex;
  else if (cliFlag) {
    CLI_GAP.lastIndex = at;
    if (CLI_GAP.exec(text) === null) return null;
    pos = CLI_GAP.lastIndex;
  } else return null;
  let quote = "";
  if (text[pos] === "\\" && (text[pos + 1] === '"' || text[pos + 1] === "'")) {
    quote = "\\" + text[pos + 1];
    pos += 2;
  } else if (text[pos] === '"' || text[pos] === "'" || text[pos] === "`") {
    quote = text[pos] ?? "";
    pos += 1;
  }
  const limit = Math.min(text.length, pos + 300);
  let end = pos;
  if (quote !== "") {
    const close = text.indexOf(quote, pos);
    if (close === -1 || close > limit) return null;
    end = close;
    if (/[\r\n]/.test(text.slice(pos, end))) return null;
  } else {
    while (end < limit && !/[\s,;'"`)}\]<>\\]/.test(text[end] ?? " ")) end++;
  }
  return end > pos ? [pos, end] : null;
}

export const BUILT_IN_RULES: readonly SecretRule[] = [
  // ---- Cloud providers -------------------------------------------------------------------------
  {
    id: "aws_access_key_id",
    severity: "high",
    description: "AWS long-term access key id (AKIA/ABIA/ACCA/A3T prefixes)",
    keywords: ["akia", "abia", "acca", "a3t"],
    pattern: /(?<![A-Za-z0-9])(?<s>(?:AKIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})(?![A-Za-z0-9])/g,
    validate: notPlaceholder(4),
    prefix: 4,
    priority: 10,
  },
  {
    id: "aws_temporary_access_key_id",
    severity: "high",
    description: "AWS temporary (STS) access key id",
    keywords: ["asia"],
    pattern: /(?<![A-Za-z0-9])(?<s>ASIA[A-Z2-7]{16})(?![A-Za-z0-9])/g,
    validate: notPlaceholder(4),
    prefix: 4,
    priority: 10,
  },
  {
    id: "aws_secret_access_key",
    severity: "critical",
    description: "AWS secret access key assigned to an AWS-named key",
    keywords: ["aws", "secretaccesskey", "secret_access_key"],
    pattern:
      /(?:aws[A-Za-z0-9_.\- ]{0,20}?(?:secret|key)|secret_?access_?key)[A-Za-z0-9_-]{0,20}["']?\s{0,5}(?:=|:=|=>|:)\s{0,5}["']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    validate: awsSecretValid,
    priority: 12,
  },
  {
    id: "aws_session_token",
    severity: "high",
    description: "AWS STS session token",
    keywords: ["session_token", "sessiontoken", "security-token", "security_token"],
    pattern:
      /(?:aws_?session_?token|x-amz-security-token|sessiontoken|security_token)["']?\s{0,5}(?:=|:=|=>|:)\s{0,5}["']?(?<s>[A-Za-z0-9/+]{100,}={0,2})/gi,
    validate: base64BlobValid,
    priority: 12,
  },
  {
    id: "gcp_service_account_key",
    severity: "critical",
    description: "Google Cloud service-account JSON key (private_key / private_key_id fields)",
    keywords: ["service_account"],
    pattern:
      /"private_key(?:_id)?"\s{0,5}:\s{0,5}"(?<s>-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----[^"]{16,16000}|[a-f0-9]{40})"/g,
    validate: (v) => v.length === 40 ? !isLowDiversity(v) : (v.replace(/\\n|[^A-Za-z0-9+/=]/g, "").length >= 80),
    priority: 20,
  },
  prefixed("gcp_api_key", "high", "Google API key", "AIza", "[0-9A-Za-z_-]{35}", { boundary: "A-Za-z0-9_-" }),
  prefixed("gcp_oauth_client_secret", "high", "Google OAuth client secret", "GOCSPX-", "[A-Za-z0-9_-]{28}", {
    boundary: "A-Za-z0-9_-",
  }),
  {
    id: "azure_storage_account_key",
    severity: "critical",
    description: "Azure storage account key in a connection string",
    keywords: ["accountkey"],
    pattern: /AccountKey\s{0,3}=\s{0,3}(?<s>[A-Za-z0-9+/]{86}==)/gi,
    validate: base64BlobValid,
    priority: 12,
  },
  {
    id: "azure_client_secret",
    severity: "high",
    description: "Azure AD / Entra application client secret (xxx8Q~ format)",
    keywords: ["q~"],
    pattern: /(?<![A-Za-z0-9_~.-])(?<s>[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/g,
    validate: notPlaceholder(5),
    priority: 10,
  },
  {
    id: "azure_sas_token",
    severity: "high",
    description: "Azure shared access signature in a URL or connection string",
    keywords: ["sig="],
    pattern: /[?&;]sv=\d{4}-\d\d-\d\d[^\s"'<>]{0,400}?[?&;]sig=(?<s>[A-Za-z0-9%+/]{40,}(?:%3D|=){0,2})/gi,
    validate: (v) => !isPlaceholder(v),
    priority: 12,
  },
  prefixed("alibaba_access_key_id", "high", "Alibaba Cloud AccessKey id", "LTAI", "[A-Za-z0-9]{20}", {
    keywords: ["ltai"],
  }),
  prefixed("digitalocean_token", "high", "DigitalOcean personal/OAuth token", "do", "[opr]_v1_[a-f0-9]{64}", {
    keywords: ["dop_v1_", "doo_v1_", "dor_v1_"],
  }),
  prefixed("cloudflare_api_token", "high", "Cloudflare API token or global key (cfat_/cfut_/cfk_)", "cf", "(?:at|ut|k)_[A-Za-z0-9]{48}", {
    keywords: ["cfat_", "cfut_", "cfk_"],
  }),
  prefixed("hashicorp_vault_token", "critical", "HashiCorp Vault service/batch/recovery token", "hv", "[sbr]\\.[A-Za-z0-9_-]{90,400}", {
    keywords: ["hvs.", "hvb.", "hvr."],
    boundary: "A-Za-z0-9_.-",
  }),
  prefixed("terraform_cloud_token", "high", "Terraform Cloud / Enterprise API token", "", "[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}", {
    keywords: ["atlasv1"],
  }),
  prefixed("tailscale_key", "high", "Tailscale auth/API/client key", "tskey-", "[a-z]+-[A-Za-z0-9]{6,}-[A-Za-z0-9]{20,}", {
    boundary: "A-Za-z",
  }),
  // ---- Payments ----------------------------------------------------------------------------------
  prefixed("stripe_secret_key", "critical", "Stripe live secret key", "sk_live_", "[A-Za-z0-9]{24,247}", { boundary: "A-Za-z0-9" }),
  prefixed("stripe_restricted_key", "high", "Stripe live restricted key", "rk_live_", "[A-Za-z0-9]{24,247}", { boundary: "A-Za-z0-9" }),
  prefixed("stripe_publishable_key", "low", "Stripe live publishable key (public by design; low)", "pk_live_", "[A-Za-z0-9]{24,247}", {
    boundary: "A-Za-z0-9",
  }),
  prefixed("stripe_test_key", "low", "Stripe test-mode secret or restricted key", "", "[sr]k_test_[A-Za-z0-9]{24,247}", {
    keywords: ["sk_test_", "rk_test_"],
    boundary: "A-Za-z0-9",
  }),
  prefixed("stripe_webhook_secret", "high", "Stripe webhook signing secret", "whsec_", "[A-Za-z0-9]{32,}"),
  prefixed("square_token", "high", "Square access token or OAuth secret", "sq0", "(?:atp-[0-9A-Za-z_-]{22}|csp-[0-9A-Za-z_-]{43})", {
    keywords: ["sq0atp-", "sq0csp-"],
    boundary: "A-Za-z0-9_-",
  }),
  prefixed("shopify_token", "high", "Shopify access token / app secret", "shp", "(?:ss|at|ca|pa)_[A-Za-z0-9]{32,64}", {
    keywords: ["shpss_", "shpat_", "shpca_", "shppa_"],
  }),
  // ---- Source hosting, CI, package registries ----------------------------------------------------
  prefixed("github_pat", "critical", "GitHub classic personal access token", "ghp_", "[A-Za-z0-9]{36}"),
  prefixed("github_fine_grained_pat", "critical", "GitHub fine-grained personal access token", "github_pat_", "[A-Za-z0-9_]{50,255}"),
  prefixed("github_oauth_token", "high", "GitHub OAuth access token", "gho_", "[A-Za-z0-9]{36}"),
  {
    id: "github_app_token",
    severity: "high",
    description: "GitHub App user-to-server / installation token (ghu_, ghs_)",
    keywords: ["ghu_", "ghs_"],
    pattern:
      /(?<![A-Za-z0-9_])(?<s>gh[us]_(?:[A-Za-z0-9]{36}|\d{1,20}_eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}))(?![A-Za-z0-9_])/g,
    validate: notPlaceholder(4),
    prefix: 4,
    priority: 11,
  },
  prefixed("github_refresh_token", "high", "GitHub refresh token", "ghr_", "[A-Za-z0-9]{36,76}"),
  prefixed("gitlab_pat", "critical", "GitLab personal/project/group access token", "glpat-", "[A-Za-z0-9_-]{20,50}", {
    boundary: "A-Za-z0-9_-",
  }),
  {
    id: "gitlab_token",
    severity: "high",
    description: "GitLab deploy, runner, CI job, trigger, agent, OAuth, feed and mail tokens",
    keywords: ["gldt-", "glrt-", "gr1348941", "glcbt-", "glptt-", "glimt-", "glagent-", "gloas-", "glsoat-", "glft-", "glffct-"],
    pattern:
      /(?<![A-Za-z0-9_-])(?<s>(?:gldt-|glrt-|GR1348941|glcbt-|glsoat-|glft-|glffct-)[A-Za-z0-9_-]{20,50}|glptt-[A-Za-z0-9_-]{40}|glimt-[A-Za-z0-9_-]{25}|glagent-[A-Za-z0-9_-]{50,}|gloas-[A-Za-z0-9_-]{64})(?![A-Za-z0-9_-])/g,
    validate: (v) => !isPlaceholder(v.slice(v.indexOf("-") + 1 || 9)),
    priority: 10,
  },
  prefixed("npm_access_token", "critical", "npm access token", "npm_", "[A-Za-z0-9]{36}"),
  {
    id: "npmrc_auth_token",
    severity: "critical",
    description: "Registry credential in an .npmrc line (//host/:_authToken=...)",
    keywords: ["_authtoken", ":_auth", ":_password"],
    pattern: /\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[^\s:]*)?\/:_(?:authToken|auth|password)\s{0,3}=\s{0,3}["']?(?<s>[^\s"'$][^\s"']{7,})/g,
    validate: (v) => !isPlaceholder(v),
    priority: 12,
  },
  prefixed("pypi_token", "critical", "PyPI API token", "pypi-", "AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{100,}", {
    boundary: "A-Za-z0-9_-",
  }),
  prefixed("rubygems_api_key", "high", "RubyGems API key", "rubygems_", "[a-f0-9]{48}"),
  prefixed("docker_hub_token", "high", "Docker Hub personal or organisation access token", "dckr_", "(?:pat|oat)_[A-Za-z0-9_-]{27}", {
    keywords: ["dckr_pat_", "dckr_oat_"],
    boundary: "A-Za-z0-9_-",
  }),
  prefixed("artifactory_api_key", "high", "JFrog Artifactory API key", "AKCp", "[A-Za-z0-9]{69}", { keywords: ["akcp"] }),
  prefixed("databricks_token", "high", "Databricks personal access token", "dapi", "[a-fA-F0-9]{32}(?:-\\d)?", {
    boundary: "A-Za-z0-9",
  }),
  prefixed("pulumi_access_token", "high", "Pulumi access token", "pul-", "[a-f0-9]{40}"),
  prefixed("doppler_token", "high", "Doppler service/personal token", "dp.", "(?:pt|st|ct|scim|audit)\\.[A-Za-z0-9]{40,44}", {
    keywords: ["dp.pt.", "dp.st.", "dp.ct.", "dp.scim.", "dp.audit."],
  }),
  prefixed("onepassword_service_token", "critical", "1Password service-account token", "ops_", "eyJ[A-Za-z0-9+/_-]{100,}={0,2}", {}),
  prefixed("grafana_token", "high", "Grafana Cloud API or service-account token", "gl", "(?:c_[A-Za-z0-9+/]{32,400}={0,2}|sa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})", {
    keywords: ["glc_", "glsa_"],
    boundary: "A-Za-z0-9_",
  }),
  prefixed("sentry_token", "high", "Sentry auth token", "sntry", "(?:s_[A-Za-z0-9+/=_-]{80,}|u_[a-f0-9]{64})", {
    keywords: ["sntrys_", "sntryu_"],
  }),
  prefixed("new_relic_api_key", "high", "New Relic user API key", "NRAK-", "[A-Z0-9]{27}", { keywords: ["nrak-"] }),
  prefixed("atlassian_api_token", "high", "Atlassian (Jira/Confluence) API token", "ATATT3", "[A-Za-z0-9_=-]{150,220}", {
    keywords: ["atatt3"],
  }),
  prefixed("postman_api_key", "high", "Postman API key", "PMAK-", "[a-f0-9]{24}-[a-f0-9]{34}", { keywords: ["pmak-"] }),
  prefixed("supabase_token", "high", "Supabase personal access token", "sbp_", "[a-f0-9]{40}"),
  prefixed("planetscale_token", "high", "PlanetScale token or password", "pscale_", "(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}", {}),
  prefixed("linear_api_key", "high", "Linear API key", "lin_api_", "[A-Za-z0-9]{40}"),
  prefixed("notion_token", "high", "Notion integration token", "ntn_", "\\d{11}[A-Za-z0-9]{35}", { boundary: "A-Za-z0-9" }),
  prefixed("figma_token", "high", "Figma personal access token", "figd_", "[A-Za-z0-9_-]{40,}", { boundary: "A-Za-z0-9_-" }),
  prefixed("vercel_token", "high", "Vercel access, integration, app or AI-gateway token", "vc", "[pirak]_[A-Za-z0-9]{24,}", {
    keywords: ["vcp_", "vci_", "vcr_", "vca_", "vck_"],
  }),
  // ---- AI providers ------------------------------------------------------------------------------
  {
    id: "openai_api_key",
    severity: "critical",
    description: "OpenAI API key (legacy, project, service-account and admin keys)",
    keywords: ["t3blbkfj"],
    pattern:
      /(?<![A-Za-z0-9_-])(?<s>sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,200}|[A-Za-z0-9]{20})T3BlbkFJ[A-Za-z0-9_-]{20,200})(?![A-Za-z0-9_-])/g,
    validate: notPlaceholder(3),
    priority: 10,
  },
  prefixed("anthropic_api_key", "critical", "Anthropic API or admin key", "sk-ant-", "(?:api|admin)\\d\\d-[A-Za-z0-9_-]{80,120}", {
    boundary: "A-Za-z0-9_-",
  }),
  prefixed("huggingface_token", "high", "Hugging Face access token", "hf_", "[A-Za-z]{34}", { boundary: "A-Za-z0-9_" }),
  prefixed("groq_api_key", "high", "Groq API key", "gsk_", "[A-Za-z0-9]{52}"),
  prefixed("replicate_api_token", "high", "Replicate API token", "r8_", "[A-Za-z0-9]{37}"),
  prefixed("perplexity_api_key", "high", "Perplexity API key", "pplx-", "[A-Za-z0-9]{48}", { boundary: "A-Za-z0-9_-" }),
  prefixed("xai_api_key", "high", "xAI API key", "xai-", "[A-Za-z0-9]{80}", { boundary: "A-Za-z0-9_-" }),
  prefixed("langsmith_api_key", "high", "LangSmith API key", "lsv2_", "(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}"),
  prefixed("langfuse_secret_key", "high", "Langfuse secret key", "sk-lf-", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", {
    boundary: "A-Za-z0-9_-",
  }),
  // ---- Messaging and SaaS -------------------------------------------------------------------------
  prefixed("slack_bot_token", "high", "Slack bot token", "xoxb-", "[0-9]{8,13}-[0-9A-Za-z-]{8,}", { boundary: "A-Za-z0-9_-" }),
  prefixed("slack_user_token", "high", "Slack user token", "xox", "[pe]-[0-9]{6,13}-[0-9A-Za-z-]{14,}", {
    keywords: ["xoxp-", "xoxe-"],
    boundary: "A-Za-z0-9_-",
  }),
  prefixed("slack_app_token", "high", "Slack app-level token", "xapp-", "\\d-[A-Z0-9]{9,}-\\d{10,}-[A-Za-z0-9]{20,}", {
    boundary: "A-Za-z0-9_-",
  }),
  prefixed("slack_token", "high", "Slack legacy, workspace, refresh or config token", "xox", "[aors]-(?:\\d-)?[0-9A-Za-z-]{15,}", {
    keywords: ["xoxa-", "xoxo-", "xoxr-", "xoxs-"],
    boundary: "A-Za-z0-9_-",
  }),
  {
    id: "slack_webhook_url",
    severity: "medium",
    description: "Slack incoming-webhook / workflow URL",
    keywords: ["hooks.slack.com"],
    pattern: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<s>[A-Za-z0-9_/+-]{20,200})/g,
    validate: (v) => !isPlaceholder(v),
    priority: 10,
  },
  {
    id: "discord_webhook_url",
    severity: "medium",
    description: "Discord webhook URL",
    keywords: ["discord"],
    pattern: /https?:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{5,30}\/(?<s>[A-Za-z0-9_-]{60,80})/g,
    validate: (v) => !isPlaceholder(v),
    priority: 10,
  },
  {
    id: "discord_bot_token",
    severity: "high",
    description: "Discord bot token (id.timestamp.hmac)",
    keywords: [],
    needs: (f) => f.longestTokenRun >= 24,
    pattern: /(?<![A-Za-z0-9_-])(?<s>[MNOA][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9_-])/g,
    validate: (v) => !isPlaceholder(v) && /\d/.test(v) && /[a-z]/.test(v) && /[A-Z]/.test(v.slice(1)),
    priority: 8,
  },
  {
    id: "telegram_bot_token",
    severity: "high",
    description: "Telegram bot token",
    keywords: [":aa"],
    pattern: /(?<![A-Za-z0-9_:])(?<s>\d{8,10}:AA[0-9A-Za-z_-]{32,33})(?![A-Za-z0-9_-])/g,
    validate: notPlaceholder(13),
    priority: 10,
  },
  {
    id: "twilio_api_key",
    severity: "high",
    description: "Twilio API key SID (SK...) ",
    keywords: [],
    needs: (f) => f.longestTokenRun >= 34,
    pattern: /(?<![A-Za-z0-9])(?<s>SK[0-9a-f]{32})(?![A-Za-z0-9])/g,
    validate: notPlaceholder(2),
    priority: 9,
  },
  prefixed("sendgrid_api_key", "high", "SendGrid API key", "SG.", "[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}", {
    keywords: ["sg."],
    boundary: "A-Za-z0-9_.-",
  }),
  {
    id: "mailchimp_api_key",
    severity: "high",
    description: "Mailchimp API key",
    keywords: ["-us"],
    pattern: /(?<![A-Za-z0-9])(?<s>[0-9a-f]{32}-us\d{1,2})(?![A-Za-z0-9])/g,
    validate: (v) => !isLowDiversity(v.slice(0, 32)),
    priority: 10,
  },
  prefixed("mailgun_api_key", "high", "Mailgun API key", "key-", "[a-f0-9]{32}", { boundary: "A-Za-z0-9_-" }),
  {
    id: "softlayer_api_key",
    severity: "high",
    description: "IBM SoftLayer API key in an API URL",
    keywords: ["softlayer.com"],
    pattern: /api\.softlayer\.com\/(?:soap|rest)\/v3(?:\.1)?\/(?<s>[a-z0-9]{64})/gi,
    validate: (v) => !isLowDiversity(v),
    priority: 10,
  },
  // ---- Keys, tokens and personal data with structure ------------------------------------------------
  {
    id: "private_key_pem",
    severity: "critical",
    description: "PEM/OpenSSH/PGP private-key block with real key material",
    keywords: ["private key"],
    find: findPrivateKeyBlocks,
    priority: 15,
  },
  {
    id: "private_key_pem",
    severity: "critical",
    description: "Base64-encoded PEM private key (kubeconfig client-key-data and similar)",
    keywords: ["ls0tls1crudjtib"],
    pattern: /(?<![A-Za-z0-9+/])(?<s>LS0tLS1CRUdJTi[A-Za-z0-9+/]{100,}={0,2})/g,
    validate: kubeKeyValid,
    priority: 15,
  },
  {
    id: "generic_secret",
    severity: "medium",
    description: "High-entropy value assigned to a password/secret/token/api-key name (generic)",
    keywords: ["pass", "pwd", "secret", "token", "key", "credential", "pw"],
    find: findGenericAssignments,
    priority: 1,
  },
  prefixed("age_secret_key", "critical", "age encryption secret key", "AGE-SECRET-KEY-1", "[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", {
    keywords: ["age-secret-key-1"],
  }),
  {
    id: "ethereum_private_key",
    severity: "critical",
    description: "secp256k1 (Ethereum) private key: 0x + 64 hex with key wording nearby",
    keywords: ["0x"],
    pattern: /(?<![A-Za-z0-9])(?<s>0x[0-9a-fA-F]{64})(?![A-Za-z0-9])/g,
    validate: ethKeyValid,
    priority: 9,
  },
  {
    id: "jwt",
    severity: "medium",
    description: "JSON Web Token whose header and payload decode to JSON",
    keywords: ["eyj"],
    pattern: /(?<![A-Za-z0-9_-])(?<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]{8,})?)(?![A-Za-z0-9_-])/g,
    validate: jwtValid,
    priority: 6,
  },
  {
    id: "http_auth_header",
    severity: "high",
    description: "Credential in an HTTP Authorization header (Bearer/Basic/Token)",
    keywords: ["authorization"],
    pattern:
      /authorization["']?\s{0,5}[:=]\s{0,5}["']?(?:bearer|token|basic)\s{1,5}(?<s>[A-Za-z0-9._~+/=-]{16,2048})/gi,
    validate: (v) => !isPlaceholder(v) && shannonEntropy(v) > 3.0,
    priority: 7,
  },
  {
    id: "database_url_credentials",
    severity: "high",
    description: "Database connection URL with an embedded password",
    keywords: ["mongodb", "postgres", "mysql", "mariadb", "redis", "amqp", "mssql", "sqlserver", "jdbc:", "clickhouse", "cockroach"],
    pattern:
      /(?:mongodb(?:\+srv)?|postgres(?:ql)?|mysql|mariadb|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb|jdbc:[a-z]+):\/\/(?<s>[^\s:/@"'`<>]{1,128}:[^\s@/"'`<>]{1,256}(?:@[^\s@/"'`<>]{1,128})*)@[^\s"'`<>]/gi,
    validate: urlCredentialsValid,
    priority: 11,
  },
  {
    id: "url_credentials",
    severity: "high",
    description: "URL with an embedded basic-auth password or token (https, ftp, git, ...)",
    keywords: ["://"],
    pattern:
      /(?<![A-Za-z0-9.-])(?:https?|ftps?|sftp|ssh|git|smtps?|imaps?|ldaps?|wss?|svn):\/\/(?<s>[^\s:/@"'`<>]{1,128}:[^\s@/"'`<>]{1,256})@[A-Za-z0-9[]/gi,
    validate: urlCredentialsValid,
    priority: 10,
  },
  {
    id: "us_ssn",
    severity: "high",
    description: "US Social Security number in an issued range",
    keywords: [],
    needs: (f) => f.digits >= 9,
    pattern: /(?<![\d-])(?<s>\d{3}([- ])\d{2}\2\d{4})(?![\d-])/g,
    validate: ssnValid,
    priority: 5,
  },
  {
    id: "credit_card_number",
    severity: "high",
    description: "Payment card number (issuer prefix + Luhn), plain or grouped with spaces/dashes",
    keywords: [],
    needs: (f) => f.digits >= 13,
    pattern: /(?<![\d.-])(?<s>\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}|\d{4}[ -]?\d{6}[ -]?\d{4,5}|\d{13,19})(?![\d-]|\.\d)/g,
    validate: cardValid,
    priority: 5,
  },
];
