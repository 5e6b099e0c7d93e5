// Every failure class has a playbook, every playbook has the sections a person needs, and lookup
// falls back to the class default.
import { describe, it } from "vitest";
import { CLASS_INFO, FAILURE_CLASSES, REMEDIATION_ROUTES } from "../workers/core/failure-classes.ts";
import { findPlaybook } from "../workers/playbooks/lookup.ts";
import { PLAYBOOKS } from "../playbooks/catalog.generated.ts";

describe("playbooks", () => {
  it("cover all 23 classes with a default", ({ expect }) => {
    expect(FAILURE_CLASSES.length).toBe(23);
    for (const cls of FAILURE_CLASSES) expect(findPlaybook(cls, null)?.id, cls).toBe(`${cls}/default`);
  });

  it("each have the four sections and the class's remediation route", ({ expect }) => {
    for (const p of PLAYBOOKS) {
      for (const heading of ["## What this signal means", "## Likely causes", "## Try first", "## Verify the fix", "## Remediation route"]) {
        expect(p.markdown, `${p.id} ${heading}`).toContain(heading);
      }
      const category = CLASS_INFO[p.failure_class as keyof typeof CLASS_INFO].category;
      expect(p.markdown.toLowerCase(), p.id).toContain(`**${category}**`);
      expect(REMEDIATION_ROUTES[category]).toBeTruthy();
    }
  });

  it("pick a signature-specific playbook when its pattern matches, else the default", ({ expect }) => {
    expect(findPlaybook("crash", "MemoryError@plan_step←run_agent")?.id).toBe("crash/out-of-memory");
    expect(findPlaybook("context_overflow", "gpt-4o:exceeded")?.id).toBe("context_overflow/exceeded");
    expect(findPlaybook("context_overflow", "gpt-4o:near_limit")?.id).toBe("context_overflow/near-limit");
    expect(findPlaybook("tool_failure", "timeout_setter:KeyboardInterrupt")?.id).toBe("tool_failure/default");
    expect(findPlaybook("nonexistent", null)).toBeNull();
  });
});
