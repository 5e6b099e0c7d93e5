// context_overflow: below 90 % of the window is quiet, 90 % warns, 100 % fails; provider refusals
// fail; unknown models are skipped; projects can add windows.
import { env } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, llmCall, newExecutionId, ofClass } from "../../../test/helpers.ts";
import { contextWindowFor } from "./model-context-windows.ts";

describe("context overflow detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("knows current Claude, GPT, Gemini, Llama and Mistral models, through provider prefixes", ({ expect }) => {
    expect(contextWindowFor("claude-sonnet-4-5-20250929")).toBe(200_000);
    expect(contextWindowFor("us.anthropic.claude-3-5-sonnet-20240620-v1:0")).toBe(200_000);
    expect(contextWindowFor("gpt-4o-2024-08-06")).toBe(128_000);
    expect(contextWindowFor("openai/gpt-4.1-mini")).toBe(1_047_576);
    expect(contextWindowFor("gpt-5")).toBe(400_000);
    expect(contextWindowFor("models/gemini-2.5-pro")).toBe(1_048_576);
    expect(contextWindowFor("meta-llama/Llama-3.3-70B-Instruct")).toBe(131_072);
    expect(contextWindowFor("mistral-large-latest")).toBe(131_072);
    expect(contextWindowFor("my-finetune")).toBeNull();
  });

  it("is quiet just below 90 %, warns at 90 % and fails at the window", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("llm_call", llmCall({ input_tokens: 115_000, output_tokens: 199 })), // 89.99 %
      ev("llm_call", llmCall({ input_tokens: 115_000, output_tokens: 200 })), // 90 %
      ev("llm_call", llmCall({ input_tokens: 127_000, output_tokens: 1_000 })), // 100 %
    ]);
    expect(ofClass(findings, "context_overflow").map((f) => [f.signature, f.severity, f.occurrences])).toEqual([
      ["gpt-4o:near_limit", "medium", 1],
      ["gpt-4o:exceeded", "high", 1],
    ]);
  });

  it("fails on a provider's context_length_exceeded and skips unknown models", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(project, id, [
      ev("llm_call", llmCall({ model: "claude-opus-4-1", status: "error", error: { class: "context_length_exceeded" } })),
      ev("llm_call", llmCall({ model: "my-finetune", input_tokens: 10_000_000 })),
    ]);
    expect(ofClass(findings, "context_overflow").map((f) => f.signature)).toEqual(["claude-opus-4-1:exceeded"]);
  });

  it("uses a project's custom windows", async ({ expect }) => {
    const custom = await createProject("custom windows");
    await env.DB.prepare("UPDATE projects SET settings = ? WHERE id = ?")
      .bind(JSON.stringify({ context_overflow: { custom_windows: { "my-finetune": 8_000 } } }), custom.project_id)
      .run();
    const id = newExecutionId();
    const ev = eventFactory(id);
    const findings = await findingsAfter(custom, id, [ev("llm_call", llmCall({ model: "my-finetune", input_tokens: 7_500 }))]);
    expect(ofClass(findings, "context_overflow").map((f) => f.signature)).toEqual(["my-finetune:near_limit"]);
  });
});
