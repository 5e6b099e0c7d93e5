// similar_call_loop: three near-identical action+input pairs fire, two do not; a conversation that
// grows one turn per call, a fan-out over different items, and human-driven retries stay clean.
import { beforeAll, describe, it } from "vitest";
import type { TestProject } from "../../../test/helpers.ts";
import { createProject, eventFactory, findingsAfter, llmCall, newExecutionId, ofClass } from "../../../test/helpers.ts";

const system = { role: "system", content: "You are a travel agent. Use tools to search flights." };
const searchAction = (i: number) => ({
  role: "assistant",
  content: null,
  tool_calls: [{ id: `call_${i}`, type: "function", function: { name: "search_flights", arguments: '{"from":"LIS","to":"NYC","date":"2026-12-01"}' } }],
});
const noResults = (i: number) => ({ role: "tool", tool_call_id: `call_${i}`, content: `No flights found for LIS to NYC on 2026-12-01 (request ${i}). Try another date.` });

function loopingCalls(ev: ReturnType<typeof eventFactory>, n: number) {
  const history: Record<string, unknown>[] = [system, { role: "user", content: "Get me to New York on Dec 1." }];
  const calls = [];
  for (let i = 0; i < n; i++) {
    history.push(searchAction(i), noResults(i));
    calls.push(ev("llm_call", llmCall({ agent: "travel", messages: [...history] })));
  }
  return calls;
}

describe("similar call loop detector", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await createProject();
  });

  it("does not fire on 2 similar calls", async ({ expect }) => {
    const id = newExecutionId();
    expect(ofClass(await findingsAfter(project, id, loopingCalls(eventFactory(id), 2)), "similar_call_loop")).toEqual([]);
  });

  it("fires on the 3rd similar call", async ({ expect }) => {
    const id = newExecutionId();
    const fired = ofClass(await findingsAfter(project, id, loopingCalls(eventFactory(id), 3)), "similar_call_loop");
    expect(fired.map((f) => [f.signature, f.occurrences])).toEqual([["travel/gpt-4o", 1]]);
  });

  it("stays clean on a conversation that grows by one distinct turn per call", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const questions = [
      "What is the baggage allowance on a basic economy ticket?",
      "Can I change my seat after check-in has opened?",
      "How do I add a lap infant to an existing reservation?",
      "Which lounges can I use with a business class ticket in Lisbon?",
      "Is travel insurance refundable if I cancel within a day?",
    ];
    const history: Record<string, unknown>[] = [system];
    const calls = questions.map((q, i) => {
      history.push({ role: "user", content: q });
      const call = ev("llm_call", llmCall({ messages: [...history] }));
      history.push({ role: "assistant", content: `Answer ${i}: it depends on the fare rules.` });
      return call;
    });
    expect(ofClass(await findingsAfter(project, id, calls), "similar_call_loop")).toEqual([]);
  });

  it("stays clean when different actions return similar data, or a person asks again", async ({ expect }) => {
    const id = newExecutionId();
    const ev = eventFactory(id);
    const reservation = (price: number) => JSON.stringify({ reservation_id: "FQ8APE", cabin: "economy", flights: [{ from: "EWR", to: "ORD", price }] });
    const history: Record<string, unknown>[] = [system, { role: "user", content: "Upgrade me and add bags." }];
    const calls = ["update_cabin", "update_bags", "update_payment"].map((tool, i) => {
      history.push(
        { role: "assistant", content: null, tool_calls: [{ id: `c${i}`, type: "function", function: { name: tool, arguments: `{"step":${i}}` } }] },
        { role: "tool", tool_call_id: `c${i}`, content: reservation(100 + i) },
      );
      return ev("llm_call", llmCall({ messages: [...history] }));
    });
    // The same failing action retried three times, each time because the user asked again.
    for (let i = 0; i < 3; i++) {
      history.push(searchAction(10 + i), noResults(10 + i));
      calls.push(ev("llm_call", llmCall({ messages: [...history] })));
      history.push({ role: "assistant", content: "No flights. Shall I try again?" }, { role: "user", content: "Yes, please try again." });
    }
    expect(ofClass(await findingsAfter(project, id, calls), "similar_call_loop")).toEqual([]);
  });
});
