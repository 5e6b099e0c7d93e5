// Proves: the keyword automaton finds exactly the keywords a string contains (ignoring ASCII case,
// overlapping and nested keywords included, non-ASCII text in between) and counts the facts the
// keyword-less secret rules are gated on; the gates sit exactly at each rule's minimum.
import { describe, it } from "vitest";
import { KeywordAutomaton } from "../../workers/scanners/keyword-automaton.ts";
import { findSecrets } from "../../workers/scanners/data-leakage.ts";

function found(automaton: KeywordAutomaton, keywords: readonly string[], text: string): string[] {
  const marks = new Uint8Array(automaton.size);
  automaton.scan(text, marks);
  return keywords.filter((_, i) => marks[i] === 1);
}

describe("KeywordAutomaton", () => {
  const keywords = ["he", "she", "his", "hers", "sk-", "://", "a"];
  const automaton = new KeywordAutomaton(keywords);

  it("finds overlapping and nested keywords in one pass, ignoring ASCII case", ({ expect }) => {
    expect(found(automaton, keywords, "USHERS")).toEqual(["he", "she", "hers"]);
    expect(found(automaton, keywords, "this is HIS")).toEqual(["his"]);
    expect(found(automaton, keywords, "key SK-abc at https://x")).toEqual(["sk-", "://", "a"]);
    expect(found(automaton, keywords, "nothing to see: xyz")).toEqual([]);
    expect(found(automaton, keywords, "")).toEqual([]);
  });

  it("never matches across a non-ASCII character", ({ expect }) => {
    expect(found(automaton, keywords, "sh\u00e9 s\u200bhe")).toEqual(["he"]);
    expect(found(automaton, keywords, "s\u0445e")).toEqual([]);
  });

  it("counts digits and the longest token run", ({ expect }) => {
    const marks = new Uint8Array(automaton.size);
    expect(automaton.scan("ab-12_c d 345", marks)).toMatchObject({ digits: 5, longestTokenRun: 7 });
    expect(automaton.scan("é".repeat(30), marks)).toMatchObject({ digits: 0, longestTokenRun: 0 });
  });

  it("refuses keywords it could not match", ({ expect }) => {
    expect(() => new KeywordAutomaton(["Upper"])).toThrow(/lower case/);
    expect(() => new KeywordAutomaton(["caf\u00e9"])).toThrow(/ASCII/);
    expect(() => new KeywordAutomaton([""])).toThrow(/empty/);
  });
});

describe("gates of the keyword-less secret rules", () => {
  const rules = (text: string) => findSecrets(text).map((m) => m.rule);

  it("an SSN needs its nine digits, a card number its thirteen", ({ expect }) => {
    expect(rules("ssn 536-90-4399 on file")).toEqual(["us_ssn"]);
    expect(rules("ssn 536-90-439 on file")).toEqual([]);
    expect(rules("card 4539 1488 0343 6467 charged")).toEqual(["credit_card_number"]);
    expect(rules("card 4539148803436 charged")).toEqual([]);
  });

  it("gating changes nothing the rules find in mixed text", ({ expect }) => {
    const text = `notes: café ${"word ".repeat(50)} card 4539148803436467, ssn 536-90-4399`;
    expect(rules(text)).toEqual(["credit_card_number", "us_ssn"]);
  });
});

describe("KeywordAutomaton.maskOf", () => {
  const keywords = ["he", "she", "his", "hers", "sk-", "://", "a"];
  const automaton = new KeywordAutomaton(keywords);
  const masks = Uint32Array.from(keywords, (_, i) => 1 << i);

  it("is the OR of the masks of exactly the keywords scan finds", ({ expect }) => {
    for (const text of ["USHERS", "this is HIS", "key SK-abc at https://x", "nothing to see: xyz", "", "sh\u00e9 s\u200bhe", "s\u0445e"]) {
      const want = found(automaton, keywords, text).reduce((m, k) => m | masks[keywords.indexOf(k)]!, 0);
      expect(automaton.maskOf(text, masks)).toBe(want);
    }
  });

  it("lets keywords share a bit", ({ expect }) => {
    const shared = Uint32Array.from(keywords, (k) => (k.startsWith("h") ? 1 : 2));
    expect(automaton.maskOf("his", shared)).toBe(1);
    expect(automaton.maskOf("she said", shared)).toBe(3);
    expect(automaton.maskOf("xyz", shared)).toBe(0);
  });
});
