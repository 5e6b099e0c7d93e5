// Proves: a project's custom rules compile and detect; patterns that could backtrack
// catastrophically are refused at creation with `unsafe_pattern`; malformed patterns with
// `invalid_pattern`; bad or clashing ids with `invalid_rule_id`; accepted patterns stay fast on
// adversarial input.
import { describe, it } from "vitest";
import { compileCustomRules, CustomRuleError, type CustomRuleInput } from "../../workers/scanners/custom-rules.ts";
import { findSecrets } from "../../workers/scanners/data-leakage.ts";

function errorCode(rule: CustomRuleInput): string | null {
  try {
    compileCustomRules([rule]);
    return null;
  } catch (e) {
    if (e instanceof CustomRuleError) return e.code;
    throw e;
  }
}

const rule = (pattern: string): CustomRuleInput => ({ id: "acme_key", pattern, severity: "high" });

describe("safe custom rules", () => {
  it("a compiled rule detects, is reported by id and is redacted", ({ expect }) => {
    const rules = compileCustomRules([{ id: "acme_key", pattern: "ACME-[A-Z0-9]{32}", severity: "critical" }]);
    const text = "key ACME-0123456789ABCDEFGHIJKLMNOPQRSTUV end";
    const m = findSecrets(text, rules);
    expect(m.map((x) => [x.rule, x.severity, text.slice(x.start, x.end)])).toEqual([
      ["acme_key", "critical", "ACME-0123456789ABCDEFGHIJKLMNOPQRSTUV"],
    ]);
    expect(findSecrets("key ACME-short", rules)).toEqual([]);
  });

  it("(?<secret>...) narrows what is redacted; (?i) makes the rule case-insensitive", ({ expect }) => {
    const rules = compileCustomRules([
      { id: "employee_badge", pattern: "(?i)badge[:=]\\s*(?<secret>[a-z]{2}\\d{6})", severity: "medium" },
    ]);
    const text = "BADGE: xy123456";
    const [m] = findSecrets(text, rules);
    expect(text.slice(m!.start, m!.end)).toBe("xy123456");
  });

  it("accepts common, unambiguous shapes", ({ expect }) => {
    for (const p of ["[a-z]+@[a-z]+\\.com", "emp-\\d{6}", "(a|b)*c", "\\d{3}-\\d{2}-\\d{4}", "foo|bar|baz", "(?i)token[:=]\\s*[a-z0-9]{20,}"]) {
      expect(errorCode(rule(p)), p).toBeNull();
    }
  });

  it("a custom rule never loses to a generic built-in on the same span", ({ expect }) => {
    const rules = compileCustomRules([{ id: "internal_token", pattern: "itk_[a-f0-9]{32}", severity: "high" }]);
    const m = findSecrets("token = itk_0123456789abcdef0123456789abcdef", rules);
    expect(m.map((x) => x.rule)).toEqual(["internal_token"]);
  });
});

describe("hostile patterns are refused at creation", () => {
  const unsafe: Array<[string, string]> = [
    ["(a+)+$", "nested quantifier"],
    ["(a|a)*", "overlapping alternatives under a star"],
    ["(.*a){20}", "quantified group containing .*"],
    ["(a|ab)+c", "alternatives sharing a first character"],
    ["(a?){30}a{30}", "optional inside a counted repeat"],
    ["^(\\s*)*$", "nested star"],
    ["(\\w+\\s?)*$", "nested quantifier with optional separator"],
    ["(a)\\1", "numbered backreference"],
    ["(?<x>a)\\k<x>", "named backreference"],
    [".*a.*b", "two unbounded wildcards in sequence (polynomial)"],
    ["\\w+\\d+", "adjacent overlapping repeats (polynomial)"],
    ["(?=.*x)abc", "lookahead scanning the rest of the text"],
    ["x{2000}", "counted repeat above the cap"],
  ];
  for (const [pattern, why] of unsafe) {
    it(`${pattern} (${why}) -> unsafe_pattern`, ({ expect }) => {
      expect(errorCode(rule(pattern))).toBe("unsafe_pattern");
    });
  }

  it("the error names the rule and says why", ({ expect }) => {
    try {
      compileCustomRules([rule("(a+)+$")]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CustomRuleError);
      const err = e as CustomRuleError;
      expect(err.ruleId).toBe("acme_key");
      expect(err.message).toMatch(/nested/);
    }
  });
});

describe("invalid patterns and ids", () => {
  it("syntax errors -> invalid_pattern", ({ expect }) => {
    for (const p of ["[", "a(", "*a", "(?<name", ""]) expect(errorCode(rule(p)), p).toBe("invalid_pattern");
  });

  it("patterns that can match the empty string -> invalid_pattern", ({ expect }) => {
    for (const p of ["a*", "\\b", "(?:x)?"]) expect(errorCode(rule(p)), p).toBe("invalid_pattern");
  });

  it("bad ids, duplicates and built-in ids -> invalid_rule_id", ({ expect }) => {
    expect(errorCode({ id: "Bad Id", pattern: "x{3}", severity: "low" })).toBe("invalid_rule_id");
    expect(errorCode({ id: "aws_access_key_id", pattern: "x{3}", severity: "low" })).toBe("invalid_rule_id");
    expect(() =>
      compileCustomRules([
        { id: "dup_rule", pattern: "x{3}", severity: "low" },
        { id: "dup_rule", pattern: "y{3}", severity: "low" },
      ]),
    ).toThrow(CustomRuleError);
  });
});

describe("accepted patterns stay fast", () => {
  // A catastrophic pattern would exceed the wall-clock timeout (workerd's clock is frozen during
  // execution, so the bound is the timeout, not a measured duration).
  it("worst-case inputs for each accepted shape finish (caps bound the work)", { timeout: 10_000 }, ({ expect }) => {
    const rules = compileCustomRules([
      { id: "r_email", pattern: "[a-z]+@[a-z]+\\.com", severity: "low" },
      { id: "r_token", pattern: "(?i)token[:=]\\s*[a-z0-9]{20,}", severity: "low" },
      { id: "r_alt", pattern: "(a|b)*c", severity: "low" },
    ]);
    for (const text of ["a".repeat(65536), "ab".repeat(32768), "token=" + " ".repeat(65000), "x@".repeat(32768)]) {
      expect(Array.isArray(findSecrets(text, rules))).toBe(true);
    }
  });
});
