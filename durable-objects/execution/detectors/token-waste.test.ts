// token_waste: the same prompt (newest turns, first 2048 characters) after the same action, 3 times
// fires; 2 do not; short prompts never count.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, llmCall, newExecutionId, ofClass } from "../../../test/helpers.ts";

const longPrompt = `Summarise the following policy for a customer. ${"The fare is non-refundable except within 24 hours of booking. ".repeat(8)}`;

describe("token waste detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("does not fire on a prompt sent twice", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const calls = [1, 2].map(() => ev("llm_call", llmCall({ prompt: longPrompt, input_tokens: 900 })));
    expect(ofClass(await findingsAfter(project, id, calls), "token_waste")).toEqual([]);
  });

  it("fires on the third send of the same prompt, even when text past 2048 characters differs", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const calls = [1, 2, 3].map((i) => ev("llm_call", llmCall({ agent: "summariser", prompt: `${longPrompt.repeat(6)} tail ${i}`, input_tokens: 900 })));
    const fired = ofClass(await findingsAfter(project, id, calls), "token_waste");
    expect(fired.map((f) => [f.signature, f.detail.wasted_input_tokens])).toEqual([["summariser/gpt-4o", 900]]);
  });

  it("never counts short prompts", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const calls = [1, 2, 3, 4].map(() => ev("llm_call", llmCall({ prompt: "Continue." })));
    expect(ofClass(await findingsAfter(project, id, calls), "token_waste")).toEqual([]);
  });
});
