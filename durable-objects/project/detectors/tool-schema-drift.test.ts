// tool_schema_drift: after 10 calls of one shape, an added field is `compatible` and a removed or
// retyped one `breaking`, with the paths; 9 prior calls or no 2/3 majority never fire.
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { T0, at, createProject, listGroups, sendAll } from "../../../test/helpers.ts";
import { canonicalShape, resultShape } from "../../../workers/ingest/project-signals.ts";

const booking = (extra: Record<string, unknown> = {}, drop?: string) => {
  const base: Record<string, unknown> = { id: "B1", status: "confirmed", legs: [{ from: "LIS", to: "JFK" }], price: 420, ...extra };
  if (drop) delete base[drop];
  return base;
};
const calls = (results: readonly unknown[], start = T0) =>
  results.map((result, i) => at(start + i * 1000, `exec-${i % 3}`, "tool_call", { tool: "get_booking", status: "ok", result: JSON.stringify(result) }));

describe("tool schema drift detector", () => {
  it("describes shapes by sorted paths and types, recursively", ({ expect }) => {
    expect(resultShape({ b: 1, a: [{ x: "s" }] })).toEqual({ a: "array", "a[]": "object", "a[].x": "string", b: "number" });
    expect(resultShape("not json")).toBeNull();
  });

  it("sends a shape as the canonical JSON stored in tool_shapes, the same whatever order its paths came in", ({ expect }) => {
    const shape = resultShape({ b: 1, "a.z": true, a: [{ x: "s" }] })!;
    expect(canonicalShape(shape)).toBe('{"a":"array","a.z":"boolean","a[]":"object","a[].x":"string","b":"number"}');
    expect(canonicalShape({ b: "number", a: "array" })).toBe(canonicalShape({ a: "array", b: "number" }));
  });

  it("reports an added field as compatible and a removed or retyped one as breaking", async ({ expect }) => {
    const p = await createProject();
    await sendAll(p, calls([...Array(10).fill(booking()), booking({ loyalty_tier: "gold" }), booking({ price: "420.00" }, undefined), booking({}, "status")]));
    const groups = await listGroups(p, "?failure_class=tool_schema_drift");
    expect(groups.map((g) => [g.signature, g.occurrences]).sort()).toEqual([
      ["get_booking:breaking", 2],
      ["get_booking:compatible", 1],
    ]);
    const detail = await env.DB.prepare("SELECT detail FROM failure_groups WHERE signature = 'get_booking:compatible'").first<{ detail: string }>();
    expect(JSON.parse(detail!.detail)).toMatchObject({ added: ["loyalty_tier"], removed: [], retyped: [] });
  });

  it("needs 10 prior calls and a 2/3 majority", async ({ expect }) => {
    const few = await createProject();
    await sendAll(few, calls([...Array(9).fill(booking()), booking({}, "status")]));
    expect(await listGroups(few, "?failure_class=tool_schema_drift")).toEqual([]);
    const split = await createProject();
    await sendAll(split, calls([...Array(6).fill(booking()), ...Array(4).fill(booking({ note: "x" })), booking({}, "status")]));
    expect(await listGroups(split, "?failure_class=tool_schema_drift")).toEqual([]);
  });
});
