// Proves: the scanners' string memo answers exactly by string (no two strings share an entry),
// keeps what recurs across a generation change, forgets what does not, and stays bounded in both
// entries and characters; strings above the length cap are never cached.
import { describe, it } from "vitest";
import { MAX_CACHED_LENGTH, StringMemo } from "../../workers/scanners/memo.ts";

describe("StringMemo", () => {
  it("answers by the exact string", ({ expect }) => {
    const memo = new StringMemo<number>();
    memo.set("abc", 1);
    expect(memo.get("abc")).toBe(1);
    expect(memo.get("abd")).toBeUndefined();
    expect(memo.get("ab" + "c")).toBe(1);
    let computed = 0;
    expect(memo.getOr("xyz", () => ++computed)).toBe(1);
    expect(memo.getOr("xyz", () => ++computed)).toBe(1);
    expect(computed).toBe(1);
  });

  it("keeps a recurring string across generations and drops one seen only two generations ago", ({ expect }) => {
    const memo = new StringMemo<string>();
    memo.set("kept", "k");
    memo.set("dropped", "d");
    // Fill the young generation until it turns old (4096 entries), then touch "kept" only.
    for (let i = 0; i < 4096; i++) memo.set(`filler-a-${i}`, "f");
    expect(memo.get("kept")).toBe("k"); // found in the old generation: moves to the young one
    for (let i = 0; i < 4096; i++) memo.set(`filler-b-${i}`, "f");
    expect(memo.get("kept")).toBe("k");
    expect(memo.get("dropped")).toBeUndefined();
  });

  it("bounds the characters held and skips strings above the length cap", ({ expect }) => {
    const memo = new StringMemo<boolean>();
    const long = "x".repeat(MAX_CACHED_LENGTH + 1);
    memo.set(long, true);
    expect(memo.get(long)).toBeUndefined();
    const atCap = "y".repeat(MAX_CACHED_LENGTH);
    memo.set(atCap, true);
    expect(memo.get(atCap)).toBe(true);
    // 256 Ki characters per generation: 128 more strings at the cap push the first out of both.
    for (let i = 0; i < 128; i++) memo.set(`${i}`.padEnd(MAX_CACHED_LENGTH, "z"), true);
    expect(memo.get(atCap)).toBeUndefined();
  });
});
