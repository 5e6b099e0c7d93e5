// hashedTrigramCounts folds ASCII text without building strings; it must give exactly the profile
// of the string-method definition (lower case, whitespace runs to one space, trimmed), because
// stored drift baselines were built with it.
import { describe, it } from "vitest";
import { hashedTrigramCounts, PROFILE_BUCKETS } from "./text.ts";

function reference(text: string, buckets = PROFILE_BUCKETS): number[] {
  const folded = text.toLowerCase().replace(/\s+/g, " ").trim();
  const counts = new Map<number, number>();
  for (let i = 0; i + 3 <= folded.length; i++) {
    const h = (Math.imul(folded.charCodeAt(i), 961) + Math.imul(folded.charCodeAt(i + 1), 31) + folded.charCodeAt(i + 2)) >>> 0;
    const b = h % buckets;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return [...counts].flat();
}

describe("hashedTrigramCounts", () => {
  const samples = [
    "",
    "ab",
    "abc",
    "  Leading and trailing  ",
    "Tabs\tand\nnew\r\nlines\u000b\u000cand   runs",
    "MiXeD CaSe ASCII with digits 0123456789 and symbols !@#$%^&*()_+-=[]{};':\",./<>?",
    "\t\n  \r",
    "Ünïcödé text with accents and İstanbul",
    "non-breaking\u00a0space and ideographic\u3000space",
    "emoji 🔓 and CJK 漢字 mixed with ASCII",
  ];
  for (const text of samples) {
    it(`matches the string-method definition for ${JSON.stringify(text.slice(0, 30))}`, ({ expect }) => {
      expect([...hashedTrigramCounts(text)]).toEqual(reference(text));
    });
  }

  it("matches on long random ASCII, whatever the whitespace", ({ expect }) => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n\r.,;:!?-_";
    for (let round = 0; round < 20; round++) {
      const text = Array.from({ length: 500 + round * 100 }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
      expect([...hashedTrigramCounts(text)]).toEqual(reference(text));
    }
  });

  it("leaves no count behind when it gives up on ASCII part-way (the next profile is exact)", ({ expect }) => {
    const prefix = "a long ascii prefix with many distinct trigrams, then ";
    expect([...hashedTrigramCounts(`${prefix}\u00e9t\u00e9`)]).toEqual(reference(`${prefix}\u00e9t\u00e9`));
    expect([...hashedTrigramCounts(prefix)]).toEqual(reference(prefix));
  });

  it("matches for bucket counts that are not a power of two (the general path) and for one that is", ({ expect }) => {
    const text = "The quick brown fox jumps over the lazy dog, again and again, 42 times.";
    for (const buckets of [500, 97, 256, 1024]) expect([...hashedTrigramCounts(text, buckets)]).toEqual(reference(text, buckets));
  });

  it("reuses its scratch space across calls without leaking counts", ({ expect }) => {
    const long = "x".repeat(5000);
    hashedTrigramCounts(long);
    expect([...hashedTrigramCounts("abcabc")]).toEqual(reference("abcabc"));
  });
});
