// infrastructure_throttled: infrastructure events and rate-limited LLM calls fire; others do not.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, llmCall, newExecutionId, ofClass } from "../../../test/helpers.ts";

describe("infrastructure throttled detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("fires on throttling signals with provider:reason", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("infrastructure_event", { reason: "rate_limited", provider: "openai", http_status: 429, retry_after_ms: 2000 }),
      ev("llm_call", llmCall({ provider: "anthropic", status: "error", error: { class: "quota_exhausted" } })),
      ev("infrastructure_event", { reason: "Circuit Breaker Open" }),
    ]);
    expect(ofClass(findings, "infrastructure_throttled").map((f) => f.signature)).toEqual([
      "openai:rate_limited",
      "anthropic:quota_exhausted",
      "unknown:circuit_breaker_open",
    ]);
  });

  it("does not fire on other LLM errors or successful calls", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("llm_call", llmCall({ status: "error", error: { class: "invalid_api_key" } })),
      ev("llm_call", llmCall()),
    ]);
    expect(ofClass(findings, "infrastructure_throttled")).toEqual([]);
  });
});
