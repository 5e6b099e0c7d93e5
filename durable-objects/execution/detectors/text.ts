// Text helpers shared by the loop and waste detectors: what part of a call to compare, a fast
// stable hash, and character 3-gram vectors.

type Message = { role: string; content?: unknown };

/** Flattens message content (a string, or parts such as {type:"text", text}) into text. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) return content.map(contentText).filter(Boolean).join("\n");
  if (typeof content === "object") {
    const part = content as Record<string, unknown>;
    if (typeof part.text === "string") return part.text;
    if (part.content !== undefined) return contentText(part.content);
    return JSON.stringify(content);
  }
  return String(content);
}

/**
 * The call's newest turns: everything after its last assistant message, without system messages.
 * Every chat call resends the system prompt and history; comparing only what is new keeps an
 * ordinary conversation that grows by one turn per call from looking like a loop.
 */
export function newestTurnText(event: { messages?: readonly Message[]; prompt?: unknown }): string {
  const messages = event.messages;
  if (messages && messages.length > 0) {
    let lastAssistant = -1;
    for (let i = messages.length - 1; i >= 0; i--) {
      const role = messages[i]!.role;
      if (role === "assistant" || role === "model") {
        lastAssistant = i;
        break;
      }
    }
    const parts: string[] = [];
    for (let i = lastAssistant + 1; i < messages.length; i++) {
      const m = messages[i]!;
      if (m.role === "system" || m.role === "developer") continue;
      parts.push(contentText(m.content));
    }
    // A call that ends on an assistant turn (prefill) has nothing newer: compare that turn.
    if (parts.length === 0 && lastAssistant >= 0) parts.push(contentText(messages[lastAssistant]!.content));
    return parts.join("\n");
  }
  return event.prompt === undefined ? "" : contentText(event.prompt);
}

/**
 * The text of a JSON document's values without its keys, for similarity: two results of one API
 * share every key, so comparing raw JSON makes every lookup look like every other one.
 */
export function jsonValuesText(text: string): string {
  const t = text.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return text;
  }
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object") Object.values(v).forEach(walk);
    else out.push(String(v));
  };
  walk(parsed);
  return out.join(" ");
}

/**
 * One tool call as `name(arguments)`, whatever the provider's envelope (OpenAI `function`,
 * Anthropic `tool_use` parts, plain {name, arguments}); call ids and type tags are left out, since
 * they differ on every call and say nothing about what the agent did.
 */
function toolCallText(call: unknown): string {
  if (call === null || typeof call !== "object") return "";
  const c = call as Record<string, unknown>;
  const fn = (c.function && typeof c.function === "object" ? c.function : c) as Record<string, unknown>;
  const args = fn.arguments ?? fn.args ?? fn.input ?? "";
  return `${typeof fn.name === "string" ? fn.name : ""}(${typeof args === "string" ? args : JSON.stringify(args)})`;
}

/** The agent's last action in the call's history: its last assistant turn, with any tool calls. */
export function lastActionText(messages: readonly Message[] | undefined): string {
  if (!messages) return "";
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]! as Message & { tool_calls?: unknown; function_call?: unknown };
    if (m.role !== "assistant" && m.role !== "model") continue;
    const parts: string[] = [];
    if (Array.isArray(m.content)) {
      for (const part of m.content as unknown[]) {
        const p = part as Record<string, unknown> | null;
        if (p && p.type === "tool_use") parts.push(toolCallText(p));
        else parts.push(contentText(part));
      }
    } else {
      parts.push(contentText(m.content));
    }
    const calls = m.tool_calls ?? (m.function_call ? [m.function_call] : []);
    if (Array.isArray(calls)) for (const call of calls) parts.push(toolCallText(call));
    return parts.filter(Boolean).join("\n");
  }
  return "";
}

/**
 * Whether a person spoke in the last exchange: a user turn after the assistant turn before the
 * last one. Looking one exchange back covers agents that record no LLM call for the turn that only
 * answered the user before acting again.
 */
export function hasNewUserTurn(messages: readonly Message[] | undefined): boolean {
  if (!messages) return false;
  let assistantTurns = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const role = messages[i]!.role;
    if (role === "assistant" || role === "model") {
      if (++assistantTurns === 2) return false;
    } else if (role === "user" || role === "human") {
      return true;
    }
  }
  return false;
}

/** cyrb53: a fast 53-bit string hash, stable across runtimes; collisions are negligible for the small windows it keys. */
export function hash53(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

export interface GramVector {
  /** 3-gram → count; a gram is its three UTF-16 codes packed into one exact number. */
  grams: Map<number, number>;
  norm: number;
}

/** Character 3-gram counts of lower-cased, whitespace-folded text. */
export function trigramVector(text: string): GramVector {
  const folded = text.toLowerCase().replace(/\s+/g, " ").trim();
  const grams = new Map<number, number>();
  if (folded.length >= 3) {
    let a = folded.charCodeAt(0);
    let b = folded.charCodeAt(1);
    for (let i = 2; i < folded.length; i++) {
      const c = folded.charCodeAt(i);
      // (a, b, c) as one number below 2^48: exact, and much cheaper to hash than a string slice.
      const key = a * 4294967296 + b * 65536 + c;
      grams.set(key, (grams.get(key) ?? 0) + 1);
      a = b;
      b = c;
    }
  }
  let sum = 0;
  for (const c of grams.values()) sum += c * c;
  return { grams, norm: Math.sqrt(sum) };
}

export function cosine(a: GramVector, b: GramVector): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const [small, large] = a.grams.size <= b.grams.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [g, c] of small.grams) {
    const other = large.grams.get(g);
    if (other !== undefined) dot += c * other;
  }
  return dot / (a.norm * b.norm);
}

/** Dimensions of the hashed 3-gram profiles the drift detector sums over many calls. */
export const PROFILE_BUCKETS = 512;

/**
 * Hashed character 3-gram counts of `text` as a flat [bucket, count, ...] list: a fixed-size
 * profile that sums across thousands of calls in bounded space. A typed array, because the list
 * travels to the project object by RPC: a plain array of numbers cost about 10 us per call to
 * serialize and deserialize, a typed array is one copy.
 */
export function hashedTrigramCounts(text: string, buckets = PROFILE_BUCKETS): Uint32Array {
  if (bucketCounts.length < buckets) {
    bucketCounts = new Int32Array(buckets);
    bucketOrder = new Int32Array(buckets);
  }
  const counts = bucketCounts;
  // Buckets in order of first occurrence, so the list reads the same as it always has.
  const order = bucketOrder;
  let distinct = (buckets & (buckets - 1)) === 0 ? countAsciiTrigrams(text, buckets - 1) : -1;
  if (distinct < 0) {
    // Not ASCII (Unicode case and whitespace rules need the string methods), or a bucket count
    // that is not a power of two.
    distinct = 0;
    const folded = text.toLowerCase().replace(/\s+/g, " ").trim();
    for (let i = 0; i + 3 <= folded.length; i++) {
      const h = (Math.imul(folded.charCodeAt(i), 961) + Math.imul(folded.charCodeAt(i + 1), 31) + folded.charCodeAt(i + 2)) >>> 0;
      const bucket = h % buckets;
      const old = counts[bucket]!;
      counts[bucket] = old + 1;
      if (old === 0) order[distinct++] = bucket;
    }
  }
  const flat = new Uint32Array(distinct * 2);
  for (let k = 0; k < distinct; k++) {
    const bucket = order[k]!;
    flat[2 * k] = bucket;
    flat[2 * k + 1] = counts[bucket]!;
    counts[bucket] = 0;
  }
  return flat;
}

/** Scratch counts for hashedTrigramCounts, left all zero between calls, and the buckets in first-seen order. */
let bucketCounts = new Int32Array(PROFILE_BUCKETS);
let bucketOrder = new Int32Array(PROFILE_BUCKETS);

/** Per ASCII code: the code lower-cased, and 32 for every whitespace character (\t \n \v \f \r and space). */
const FOLD_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) FOLD_ASCII[c] = c >= 65 && c <= 90 ? c + 32 : c === 32 || (c >= 9 && c <= 13) ? 32 : c;

/**
 * For ASCII text: counts the 3-grams of `text.toLowerCase().replace(/\s+/g, " ").trim()` into
 * `bucketCounts` (bucket = hash & mask) in one pass, without building that string, and returns
 * how many buckets it touched (listed in `bucketOrder`). Returns -1, with the counts cleared
 * again, at the first non-ASCII character. This loop runs over every character of every call's
 * newest turns and response, hence no branch on whether a bucket is new: that branch mispredicted
 * on about every other character and cost more than the rest of the loop.
 */
function countAsciiTrigrams(text: string, mask: number): number {
  const counts = bucketCounts;
  const order = bucketOrder;
  let distinct = 0;
  let n = 0;
  let a = 0;
  let b = 0;
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) {
      for (let k = 0; k < distinct; k++) counts[order[k]!] = 0;
      return -1;
    }
    const c = FOLD_ASCII[code]!;
    if (c === 32) {
      // A run of whitespace becomes one space, counted only if more text follows (trim).
      space = n > 0;
      continue;
    }
    if (space) {
      // The counting block below, for the run's one space. Written out twice on purpose: going
      // round again for the current character instead made this loop about 13 % slower.
      space = false;
      if (n >= 2) {
        const bucket = (Math.imul(a, 961) + Math.imul(b, 31) + 32) & mask;
        const old = counts[bucket]!;
        counts[bucket] = old + 1;
        order[distinct] = bucket;
        distinct += ((old - 1) >>> 31) & 1;
      }
      a = b;
      b = 32;
      n++;
    }
    if (n >= 2) {
      const bucket = (Math.imul(a, 961) + Math.imul(b, 31) + c) & mask;
      const old = counts[bucket]!;
      counts[bucket] = old + 1;
      order[distinct] = bucket;
      distinct += ((old - 1) >>> 31) & 1;
    }
    a = b;
    b = c;
    n++;
  }
  return distinct;
}

/**
 * A bounded window of recent keys with their counts in it. Stored as the key ring only; counts are
 * derived on load, so the persisted state stays one small array.
 */
export class CountingWindow {
  readonly #ring: string[];
  readonly #capacity: number;
  readonly #counts = new Map<string, number>();

  constructor(capacity: number, ring: readonly string[] = []) {
    this.#capacity = capacity;
    this.#ring = ring.slice(-capacity);
    for (const k of this.#ring) this.#counts.set(k, (this.#counts.get(k) ?? 0) + 1);
  }

  /** Adds a key and returns how many times it is now in the window. */
  add(key: string): number {
    this.#ring.push(key);
    if (this.#ring.length > this.#capacity) {
      const old = this.#ring.shift()!;
      const n = (this.#counts.get(old) ?? 1) - 1;
      if (n === 0) this.#counts.delete(old);
      else this.#counts.set(old, n);
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return count;
  }

  toJSON(): { capacity: number; ring: string[] } {
    return { capacity: this.#capacity, ring: this.#ring };
  }

  static revive(stored: unknown): CountingWindow | null {
    const s = stored as { capacity?: unknown; ring?: unknown } | null;
    if (!s || typeof s.capacity !== "number" || !Array.isArray(s.ring)) return null;
    return new CountingWindow(s.capacity, s.ring as string[]);
  }
}

/** Agent and model as one signature, per docs/conventions.md. */
export function agentModelSignature(agent: string | undefined, model: string): string {
  return `${agent ?? "agent"}/${model}`;
}

/** Keeps signatures human-readable and bounded: no control characters, at most `max` characters. */
export function cleanSignaturePart(value: string, max = 96): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const clean = value.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean || "unknown";
}
