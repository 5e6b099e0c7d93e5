// Proves: every built-in data-leakage rule flags its format and leaves its near-misses, placeholders
// and documented examples alone; overlapping hits merge; redaction replaces exactly the secret.
import { describe, it } from "vitest";
import { findSecrets, redactSecrets } from "../../workers/scanners/data-leakage.ts";
import { BUILT_IN_RULES } from "../../workers/scanners/secret-rules.ts";
import { j, RSA_PEM, RULE_CASES } from "./fixtures.ts";

function rulesIn(text: string): string[] {
  return findSecrets(text).map((m) => m.rule);
}

describe("built-in rules", () => {
  it("every built-in rule has a case on both sides", ({ expect }) => {
    const covered = new Set(RULE_CASES.map((c) => c.rule));
    const missing = [...new Set(BUILT_IN_RULES.map((r) => r.id))].filter((id) => !covered.has(id));
    expect(missing).toEqual([]);
    for (const c of RULE_CASES) {
      expect(c.flag.length, c.rule).toBeGreaterThan(0);
      expect(c.noFlag.length, c.rule).toBeGreaterThan(0);
    }
  });

  for (const c of RULE_CASES) {
    describe(c.rule, () => {
      c.flag.forEach((text, i) => {
        it(`flags positive #${i}`, ({ expect }) => {
          expect(rulesIn(text)).toContain(c.rule);
        });
      });
      c.noFlag.forEach((text, i) => {
        it(`does not flag near-miss #${i}`, ({ expect }) => {
          expect(rulesIn(text)).toEqual([]);
        });
      });
    });
  }

  it("every rule has a severity", ({ expect }) => {
    for (const r of BUILT_IN_RULES) expect(["low", "medium", "high", "critical"]).toContain(r.severity);
  });
});

describe("documented decisions", () => {
  it("AWS's documented example key pair is a placeholder, a random-looking one is a secret", ({ expect }) => {
    const example = j("aws_access_key_id = ", "AKIA", "IOSFODNN7EXAMPLE", "\naws_secret_access_key = ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCY", "EXAMPLEKEY");
    expect(rulesIn(example)).toEqual([]);
    expect(rulesIn(j("AKIA", "QYLPMN5HHHFPZAM2"))).toEqual(["aws_access_key_id"]);
  });

  it("public identifiers are not secrets: AWS account ids, Azure tenant ids, public IPs", ({ expect }) => {
    expect(rulesIn('"AWS_ACCOUNT_ID"=>1234-5678-9012')).toEqual([]);
    expect(rulesIn('ad_tenant_id: "dac6fb3d-713c-4555-8a97-4089aa3849be"')).toEqual([]);
    expect(rulesIn("server at 133.133.133.133:8080")).toEqual([]);
  });

  it("a Stripe publishable live key is reported with low severity", ({ expect }) => {
    const m = findSecrets(j("pk_", "live_", "j5krY8XTgIcDaHDb3YrsAfCl"));
    expect(m.map((x) => [x.rule, x.severity])).toEqual([["stripe_publishable_key", "low"]]);
  });

  it("tau-bench style customer data is not a leak: emails, DOBs, payment ids, card last four", ({ expect }) => {
    // [tau-bench] get_user_details result (synthetic users).
    const text =
      '{"name": {"first_name": "Mia", "last_name": "Li"}, "email": "mia.li3818@example.com", "dob": "1990-04-05", ' +
      '"payment_methods": {"credit_card_4421486": {"source": "credit_card", "brand": "visa", "last_four": "7447", "id": "credit_card_4421486"}}}';
    expect(rulesIn(text)).toEqual([]);
  });
});

describe("matching mechanics", () => {
  it("overlapping hits become one span named after the more specific rule", ({ expect }) => {
    // A GitHub app token that embeds a JWT: one match, github_app_token.
    const token = j(
      "ghs_12345_",
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.",
      "eyJpYXQiOjE3NDU1NjgwMDAsImV4cCI6MTc0NTU2ODM2MCwiaXNzIjoiMTIzNDUiLCJzdWIiOiJnaXRodWJ8MTIzNDUifQ.",
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    );
    const m = findSecrets(`token=${token}`);
    expect(m).toHaveLength(1);
    expect(m[0]!.rule).toBe("github_app_token");
    expect(m[0]!.start).toBe(6);
  });

  it("finds several secrets in one string, in order", ({ expect }) => {
    const text = j("a ", "ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx", " b ", "SSN 536-22-1234", " c");
    expect(rulesIn(text)).toEqual(["github_pat", "us_ssn"]);
  });

  it("redaction replaces exactly the secret and nothing else", ({ expect }) => {
    const token = j("ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx");
    const text = `export GITHUB_TOKEN=${token} # ci`;
    const out = redactSecrets(text, findSecrets(text));
    expect(out).toBe("export GITHUB_TOKEN=[REDACTED:github_pat] # ci");
  });

  it("a PEM block is redacted from BEGIN to END, a cut-off one to the end of its key material", ({ expect }) => {
    const full = `before\n${RSA_PEM}\nafter`;
    expect(redactSecrets(full, findSecrets(full))).toBe("before\n[REDACTED:private_key_pem]\nafter");
    const cut = `${RSA_PEM.split("\n").slice(0, 4).join("\n")}\nand then the log continues`;
    const out = redactSecrets(cut, findSecrets(cut));
    expect(out).toBe("[REDACTED:private_key_pem]\nand then the log continues");
  });

  // workerd freezes the clock while code runs (a timing side-channel defence), so a blow-up shows
  // here as the test's wall-clock timeout, not as a measured duration; durations are measured by
  // scripts/eval-scanners.ts under Node (docs/detection-quality.md, section 6).
  it("finishes on adversarial input (64 KiB of near-matches per string)", { timeout: 10_000 }, ({ expect }) => {
    const inputs = [
      "a".repeat(65536),
      "1234-5678-".repeat(6554),
      ("eyJhbGciOi" + "A".repeat(50) + ".").repeat(1080),
      "-----BEGIN PRIVATE KEY-----\n".repeat(2340),
      "password=Xk9#mQ2$vL7p ".repeat(2850),
      "AKIA".repeat(16384),
    ];
    for (const text of inputs) expect(Array.isArray(findSecrets(text))).toBe(true);
  });
});
