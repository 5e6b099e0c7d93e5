// GET /v1/groups filters the dashboard uses: `q` text search on signature and class (wildcards in
// the text match literally), `since`/`until` on last_seen, combined with class and status; every
// filter combination stays an index range scan in the order of the page (no sort step), and paging
// through 10,000 groups with a filter returns each match exactly once.
import { env } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import type { GroupOut, TestProject } from "../../test/helpers.ts";
import { createProject, getJson } from "../../test/helpers.ts";
import { groupsPageQuery } from "./groups-list.ts";

const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;

/** Groups written straight to D1: findings are not what this file tests, the list is. */
async function insertGroups(projectId: string, rows: { failure_class: string; signature: string; status?: string; severity?: string; last_seen: number }[]) {
  const cols = 10;
  const perStatement = Math.floor(99 / cols);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params = chunk.flatMap((r, j) => [
      `g_${projectId}_${i + j}`,
      projectId,
      r.failure_class,
      r.signature,
      r.status ?? "open",
      r.severity ?? "medium",
      r.last_seen - HOUR,
      r.last_seen,
      1,
      1,
    ]);
    statements.push(
      env.DB.prepare(
        `INSERT INTO failure_groups (id, project_id, failure_class, signature, status, severity, first_seen, last_seen, occurrences, executions) VALUES ${chunk.map(() => `(${Array(cols).fill("?").join(", ")})`).join(", ")}`,
      ).bind(...params),
    );
  }
  await env.DB.batch(statements);
}

async function page(p: TestProject, query: string) {
  const res = await getJson<{ groups: GroupOut[]; next_cursor: string | null }>(`/v1/groups${query}`, p.read_key);
  if (res.status !== 200) throw new Error(`groups answered ${res.status}`);
  return res.body;
}

describe("GET /v1/groups: search and time filters", () => {
  let p: TestProject;
  beforeAll(async () => {
    p = await createProject("groups filters");
    await insertGroups(p.project_id, [
      { failure_class: "tool_failure", signature: "search_flights:TimeoutError", last_seen: T0 + 1 * HOUR },
      { failure_class: "tool_failure", signature: "book_seat:SeatUnavailable", last_seen: T0 + 2 * HOUR, status: "resolved" },
      { failure_class: "crash", signature: "KeyError", last_seen: T0 + 3 * HOUR, severity: "high" },
      { failure_class: "infrastructure_throttled", signature: "openai:rate_limited", last_seen: T0 + 4 * HOUR },
      { failure_class: "tool_failure", signature: "ratexlimited:Boom", last_seen: T0 + 5 * HOUR },
    ]);
  });

  it("searches signatures and classes, case-insensitively, with wildcards taken literally", async ({ expect }) => {
    expect((await page(p, "?q=TIMEOUT")).groups.map((g) => g.signature)).toEqual(["search_flights:TimeoutError"]);
    expect((await page(p, "?q=crash")).groups.map((g) => g.signature)).toEqual(["KeyError"]);
    // "_" is a LIKE wildcard: unescaped it would also match "ratexlimited".
    expect((await page(p, "?q=rate_limited")).groups.map((g) => g.signature)).toEqual(["openai:rate_limited"]);
    expect((await page(p, "?q=%25")).groups).toEqual([]);
    expect((await page(p, "?q=tool&status=resolved")).groups.map((g) => g.signature)).toEqual(["book_seat:SeatUnavailable"]);
  });

  it("bounds last_seen with since (inclusive) and until (exclusive), as RFC 3339 or epoch ms", async ({ expect }) => {
    const since = new Date(T0 + 2 * HOUR).toISOString();
    const until = T0 + 4 * HOUR;
    expect((await page(p, `?since=${since}&until=${until}`)).groups.map((g) => g.signature)).toEqual(["KeyError", "book_seat:SeatUnavailable"]);
    expect((await page(p, `?since=${since}&failure_class=tool_failure`)).groups.map((g) => g.signature)).toEqual(["ratexlimited:Boom", "book_seat:SeatUnavailable"]);
    expect((await getJson("/v1/groups?since=yesterday", p.read_key)).status).toBe(400);
    expect((await getJson(`/v1/groups?q=${"x".repeat(201)}`, p.read_key)).status).toBe(400);
  });

  it("keeps every filter combination an index range scan in page order", async ({ expect }) => {
    const base = { limit: 50, cursor: btoa(`${T0}|g_x`).replaceAll("=", "") };
    const combos = [
      {},
      { since: T0, until: T0 + HOUR },
      { failure_class: "tool_failure" as const, since: T0 },
      { status: "open", until: T0 },
      { q: "timeout", since: T0 },
      { severity: "high" as const, q: "x" },
    ];
    for (const combo of combos) {
      const { sql, params } = groupsPageQuery(p.project_id, { ...base, ...combo });
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      const details = plan.results.map((r) => r.detail).join(" | ");
      expect(details, JSON.stringify(combo)).toMatch(/SEARCH failure_groups USING INDEX failure_groups_by_(recency|class|status) \(project_id=\?/);
      expect(details, JSON.stringify(combo)).not.toContain("TEMP B-TREE");
    }
  });

  it("pages through 10,000 groups with a search, each match once", async ({ expect }) => {
    const big = await createProject("ten thousand groups");
    const classes = ["tool_failure", "crash", "identical_call_loop", "data_leakage"];
    await insertGroups(
      big.project_id,
      Array.from({ length: 10_000 }, (_, i) => ({
        failure_class: classes[i % classes.length]!,
        signature: i % 10 === 0 ? `needle_${i}:Error` : `tool_${i}:Error`,
        // Pairs share a last_seen, so the cursor's id tie-break is exercised too.
        last_seen: T0 + Math.floor(i / 2) * 1000,
      })),
    );
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    const started = Date.now();
    do {
      const body: { groups: GroupOut[]; next_cursor: string | null } = await page(big, `?q=needle&limit=200${cursor ? `&cursor=${cursor}` : ""}`);
      for (const g of body.groups) seen.add(g.id);
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBe(1000);
    expect(pages).toBe(5);
    // Generous: the point is "no page is a full sort of 10,000 rows", not a benchmark.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
