// Scan results memoised per isolate. Agents resend their whole conversation with every call, so
// the same message strings arrive again and again; scanning each distinct string once saves most
// of the scanners' cost on real chat traffic. Keys are a 53-bit hash plus the length, never the
// text, so the cache holds no raw secret; values are offsets and hits, never matched values.
// The scanners are pure functions of the string, so a hit is exact.

/** Strings shorter than this are cheaper to scan than to hash and look up. */
const MIN_LENGTH = 64;
/** Entries per cache: bounded memory whatever the traffic (values are small). */
const MAX_ENTRIES = 8192;

function hashKey(text: string, salt: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${salt}:${text.length}:${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}`;
}

export class ScanMemo<T> {
  readonly #entries = new Map<string, T>();

  /** `salt` separates variants of one scanner (e.g. direct vs indirect, a project's custom rules). */
  get(text: string, salt: string, compute: () => T): T {
    if (text.length < MIN_LENGTH) return compute();
    const key = hashKey(text, salt);
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Refresh recency: Map keeps insertion order, the oldest entry is evicted first.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const value = compute();
    this.#entries.set(key, value);
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }
}
