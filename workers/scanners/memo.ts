// Scan results memoised per isolate. Agents resend their whole conversation with every call and
// every event repeats the same keys and enum-like values, so the same strings arrive again and
// again; scanning each distinct string once saves most of the scanners' cost on real traffic.
//
// Keys are the strings themselves: a hit is exact (no hash collision can hand one string another's
// result, which for redaction would mean a secret stored in clear), and V8 hashes a string once,
// natively, and keeps the hash on it. The secret scanner caches only strings that hold no secret,
// so no cached key is a secret; the injection scanner's values are hits and short windows of text.
//
// Two generations instead of an LRU list: lookups and inserts go to the young map; when it is full
// it becomes the old one and the previous old one is dropped. A string found only in the old
// generation moves to the young one, so what keeps recurring stays. Both the entry count and the
// characters held are bounded, whatever the traffic.

/** Entries per generation. */
const MAX_ENTRIES = 4096;
/** Characters of keys per generation: at most 512 KiB of UTF-16, twice for both generations. */
const MAX_CHARS = 1 << 18;
/** Longer strings are scanned every time: they are rarely resent verbatim, and would crowd the rest out. */
export const MAX_CACHED_LENGTH = 16_384;

export class StringMemo<T> {
  #young = new Map<string, T>();
  #old = new Map<string, T>();
  #youngChars = 0;

  get(text: string): T | undefined {
    const hit = this.#young.get(text);
    if (hit !== undefined) return hit;
    const old = this.#old.get(text);
    if (old !== undefined) this.set(text, old);
    return old;
  }

  set(text: string, value: T): void {
    if (text.length > MAX_CACHED_LENGTH) return;
    if (this.#young.size >= MAX_ENTRIES || this.#youngChars + text.length > MAX_CHARS) {
      this.#old = this.#young;
      this.#young = new Map();
      this.#youngChars = 0;
    }
    this.#young.set(text, value);
    this.#youngChars += text.length;
  }

  /** The cached value, or `compute()`'s, remembered. */
  getOr(text: string, compute: () => T): T {
    const hit = this.get(text);
    if (hit !== undefined) return hit;
    const value = compute();
    this.set(text, value);
    return value;
  }
}
