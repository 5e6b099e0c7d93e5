// hitl_rejection_spike: 5 executions with 40 % rejections (or 30 % edits) in an hour fire; 4
// executions, a lower share, or answers outside the hour do not.
import { describe, it } from "vitest";
import { MINUTE, T0, at, createProject, listGroups, sendAll } from "../../../test/helpers.ts";

const answers = (kinds: readonly string[], start = T0, step = MINUTE) =>
  kinds.map((response_kind, i) => at(start + i * step, `exec-${crypto.randomUUID().slice(0, 8)}`, "human_intervention", { request_id: `r${i}`, response_kind }));

describe("HITL rejection spike detector", () => {
  it("fires `rejected` at 40 % over 5 executions", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, answers(["approved", "rejected", "approved", "rejected", "approved"]));
    expect((await listGroups(p, "?failure_class=hitl_rejection_spike")).map((g) => g.signature)).toEqual(["rejected"]);
  });

  it("fires `edited` at 30 % and not below", async ({ expect }) => {
    const quiet = await createProject();
    await sendAll(quiet, answers(["edited", "edited", ...Array(8).fill("approved")]));
    expect(await listGroups(quiet, "?failure_class=hitl_rejection_spike")).toEqual([]);
    const spiking = await createProject();
    await sendAll(spiking, answers(["edited", "edited", "edited", ...Array(7).fill("approved")]));
    expect((await listGroups(spiking, "?failure_class=hitl_rejection_spike")).map((g) => g.signature)).toEqual(["edited"]);
  });

  it("needs 5 distinct executions and answers within the hour", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, answers(["rejected", "rejected", "rejected", "approved"]));
    expect(await listGroups(p, "?failure_class=hitl_rejection_spike")).toEqual([]);
    const spread = await createProject();
    // 5 executions, 2 rejections, but 20 minutes apart: never 5 within one hour.
    await sendAll(spread, answers(["rejected", "approved", "approved", "approved", "rejected"], T0, 20 * MINUTE));
    expect(await listGroups(spread, "?failure_class=hitl_rejection_spike")).toEqual([]);
  });

  it("fires once per spike even when an older batch arrives late", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, answers(["approved", "rejected", "approved", "rejected", "approved"], T0 + 120 * MINUTE));
    // Answers from two hours earlier arrive late: their window is calm, which must not re-arm it.
    await sendAll(p, answers(["approved", "approved", "approved", "approved", "approved"], T0));
    await sendAll(p, answers(["rejected"], T0 + 125 * MINUTE));
    const groups = await listGroups(p, "?failure_class=hitl_rejection_spike");
    expect(groups.map((g) => [g.signature, g.occurrences])).toEqual([["rejected", 1]]);
  });
});
