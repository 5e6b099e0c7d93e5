// The built client (dist/vigil-client.mjs) in plain Node against a real HTTP receiver on 127.0.0.1:
// real sockets, real gzip, a 429 and a 503 before success, a halt directive in the answer, and
// close() delivering everything. Run by `npm run test:client` (node --test), on Node 20 or 22.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { VigilHaltError, createClient } from "../dist/vigil-client.mjs";

const received = [];
const script = [];
let server;
let url;

before(async () => {
  server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const text = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
      const { events } = JSON.parse(text);
      const step = script.shift() ?? { status: 200 };
      received.push({ status: step.status, auth: req.headers.authorization, encoding: req.headers["content-encoding"], ids: events.map((e) => e.id) });
      const headers = { "content-type": "application/json", ...(step.retryAfter ? { "retry-after": step.retryAfter } : {}) };
      res.writeHead(step.status, headers);
      if (step.status !== 200) return res.end(JSON.stringify({ error: { code: "unavailable", message: "busy", request_id: "x" } }));
      const directives = events.filter((e) => e.type === "llm_call" && e.model === "loop").map((e) => ({ execution_id: e.execution_id, action: "halt", failure_class: "identical_call_loop", signature: "agent/loop", group_id: "g_1" }));
      res.end(JSON.stringify({ accepted: events.length, duplicates: 0, rejected: [], directives: directives.slice(0, 1) }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

test("retries 429 and 503 from a real receiver, honouring Retry-After, and loses nothing on close()", async () => {
  script.push({ status: 429, retryAfter: "1" }, { status: 503 });
  const waits = [];
  const client = createClient({ url, key: "vk_test_key_123", batchSize: 50, sleep: async (ms) => void waits.push(ms), random: () => 0 });
  const run = client.execution("node-run-1");
  for (let i = 0; i < 120; i++) run.toolCall({ tool: "search", status: "ok", arguments: { i } });
  await client.close();
  assert.deepEqual(received.map((r) => r.status), [429, 503, 200, 200, 200]);
  assert.deepEqual(waits, [1000, 0]);
  assert.equal(received[0].auth, "Bearer vk_test_key_123");
  assert.equal(received[0].encoding, "gzip");
  assert.deepEqual(received[0].ids, received[2].ids, "a retry resends the same event ids");
  assert.equal(new Set(received.slice(2).flatMap((r) => r.ids)).size, 120);
  assert.deepEqual(client.stats(), { queued: 0, sent: 120, duplicates: 0, rejected: {}, dropped: 0, retries: 2 });
});

test("a halt directive aborts the execution's AbortSignal with a VigilHaltError", async () => {
  const client = createClient({ url, key: "vk_test_key_123" });
  const run = client.execution("node-run-2");
  run.llmCall({ provider: "openai", model: "loop", status: "ok" });
  await client.flush();
  assert.equal(run.signal.aborted, true);
  assert.ok(run.signal.reason instanceof VigilHaltError);
  assert.throws(() => run.throwIfHalted(), VigilHaltError);
  await client.close();
});
