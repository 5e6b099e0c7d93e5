// npm run demo -- [--url http://127.0.0.1:8787] [--key vk_dev_ingest_local_only]
//
// Fills a running local instance's dev project with a day at Harbor Mutual, an insurer whose
// customer-support agents (a triage router, a claims assistant, a policy-desk agent, a nightly
// claims-summary job) start the day healthy and then fail in escalating ways: a claims-API deploy
// changes its response shape, the service token expires, OpenAI has an incident, a summary job's
// prompt bloats, reviewers start rejecting refunds, an uploaded "document" carries a jailbreak, the
// fraud-check sub-agent crashes, approvals time out. The day ends at the time the demo runs, so the
// dashboard shows it as "today". Re-running on the same day re-sends the same ids (duplicates).
import { parseArgs } from "node:util";
import { Api } from "./client.ts";
import { PROVIDER_OF, Run, costUsd, tokensOf, toolResult } from "./generator/events.ts";
import { Rng } from "./generator/prng.ts";
import type { LabEvent, LabExecution } from "./generator/types.ts";
import { loadCorpora } from "./generator/corpora.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    key: { type: "string", default: "vk_dev_ingest_local_only" },
    seed: { type: "string", default: "42" },
  },
});

const HOUR = 3_600_000;
const MIN = 60_000;
const TENANTS = ["retail-auto", "retail-home", "smb-commercial", "broker-network"];
const MODEL = "gpt-4o";
const CUSTOMERS = ["Dana Whitfield", "Marco Oyelaran", "Priya Raman", "Tom Kessler", "Aiko Brandt", "Luis Ferreira", "Grace Okafor", "Noah Lindqvist"];
const ASKS = [
  ["claim_status", "Hi, I filed a claim for hail damage on my car last week. Can you tell me where it stands?"],
  ["claim_status", "My water damage claim has been open for ten days. Is an adjuster assigned yet?"],
  ["new_claim", "Someone rear-ended me at a light this morning. How do I start a claim?"],
  ["new_claim", "A pipe burst in our office kitchen overnight. We need to report it."],
  ["policy_question", "Does my home policy cover a tree falling on the garage?"],
  ["policy_question", "What is my deductible for glass repair on the auto policy?"],
  ["billing", "I was charged twice for my premium this month. Can you fix that?"],
  ["billing", "Can I switch my payment date to the 15th?"],
] as const;

interface Story {
  executions: LabExecution[];
}

function llm(run: Run, rng: Rng, system: string, user: string, reply: string, extra: Record<string, unknown> = {}, model = MODEL): LabEvent {
  const messages = [
    { role: "system", content: system },
    { role: "user", content: user },
  ];
  const input = 1400 + tokensOf(JSON.stringify(messages));
  return run.add(
    "llm_call",
    { provider: PROVIDER_OF[model], model, messages, response: reply, input_tokens: input, output_tokens: tokensOf(reply), cost_usd: costUsd(model, input, tokensOf(reply)), latency_ms: rng.int(700, 3500), status: "ok", finish_reason: "stop", ...extra },
    rng.int(2000, 8000),
  );
}

const SYSTEM = "You are Harbor Mutual's customer-support assistant. Verify the customer, look up policies and claims with the tools, never promise coverage the policy does not grant, and ask a human reviewer before any refund or payout.";

function claim(rng: Rng, n: number, shape: "v1" | "v2" = "v1"): Record<string, unknown> {
  const amount = rng.int(400, 18_000);
  const base = { claim_id: `CLM-${100_000 + n}`, policy_id: `HM-${rng.int(10_000, 99_999)}`, status: rng.pick(["open", "assessing", "approved"]), adjuster: rng.pick(["J. Moreau", "K. Osei", "R. Tanaka"]), opened_at: "2026-11-18", loss_type: rng.pick(["hail", "collision", "water", "theft"]) };
  return shape === "v1" ? { ...base, amount: amount, currency: "USD" } : { ...base, amount: `${amount}.00 USD` };
}

function conversation(id: string, tenant: string, start: number, rng: Rng, n: number, opts: { claimShape?: "v1" | "v2"; authFail?: boolean; provider503?: boolean; loop?: boolean; reject?: boolean; hitlTimeout?: boolean; injection?: string; leak?: string; parent?: string; crash?: boolean; hallucinate?: boolean } = {}): { run: Run; status: string } {
  const [intent, ask] = ASKS[n % ASKS.length]!;
  const customer = CUSTOMERS[n % CUSTOMERS.length]!;
  const run = new Run(id, tenant, start, "claims-assistant", rng);
  run.add("execution_started", { name: "customer-support", release: "3.8.1", environment: "production", policy: { max_wall_seconds: 1800 }, ...(opts.parent ? { parent_execution_id: opts.parent } : {}) });
  if (opts.provider503) {
    run.add("llm_call", { provider: "openai", model: MODEL, messages: [{ role: "user", content: ask }], status: "error", error: { class: "service_unavailable", http_status: 503, message: "The server is overloaded or not ready yet." }, latency_ms: 30_000 }, 30_000);
  }
  llm(run, rng, SYSTEM, `${ask} (customer: ${customer})`, `I can help with that, ${customer.split(" ")[0]}. Let me look up your account.`, { finish_reason: "tool_calls" });
  if (opts.injection) {
    run.add("tool_call", { tool: "read_uploaded_document", arguments: { upload_id: `UP-${n}` }, result: toolResult(`Repair estimate attached.\n\n${opts.injection}`), status: "ok", latency_ms: 300 }, rng.int(500, 1500));
  }
  if (opts.authFail) {
    run.add("tool_call", { tool: "claims_lookup", arguments: { customer }, status: "failed", error: { type: "AuthenticationError", message: "401: claims API service token expired" }, latency_ms: 90 }, rng.int(300, 900));
  }
  const c = claim(rng, n, opts.claimShape);
  run.add("tool_call", { tool: "claims_lookup", arguments: { customer }, result: toolResult(JSON.stringify(c), c), status: "ok", latency_ms: rng.int(80, 400) }, rng.int(300, 900));
  if (opts.loop) {
    const messages = [{ role: "system", content: SYSTEM }, { role: "user", content: "ok" }];
    for (let k = 0; k < 4; k++) run.add("llm_call", { provider: "openai", model: MODEL, messages, response: '{"tool": "claims_lo', input_tokens: 1500, output_tokens: 8, cost_usd: costUsd(MODEL, 1500, 8), latency_ms: 900, status: "ok", finish_reason: "length" }, rng.int(800, 1500));
  }
  run.add("checkpoint", { name: "support_state", state: { intent, claim: c["claim_id"], step: 1 } }, 500);
  if (opts.leak) llm(run, rng, SYSTEM, "The broker portal says my integration key is wrong. What do you have on file?", `The key on file is:\n${opts.leak}`);
  const reply = opts.hallucinate
    ? `Good news: your ${c["loss_type"]} claim is approved for the full amount and the payout goes out tomorrow.`
    : `Your claim ${c["claim_id"]} is ${c["status"]}; ${c["adjuster"]} is the adjuster and will contact you within two business days.`;
  llm(run, rng, SYSTEM, `Tool result: ${JSON.stringify(c)}`, reply);
  if (intent === "billing" || opts.reject || opts.hitlTimeout) {
    const kind = opts.reject ? "rejected" : opts.hitlTimeout ? "timeout" : "approved";
    const wait = opts.hitlTimeout ? 1_800_000 : rng.int(20_000, 180_000);
    run.add("validator_check", { validator: "refund_policy", status: "passed" }, 300);
    run.add("human_intervention", { request_id: `${id}-refund`, response_kind: kind, wait_duration_ms: wait, sla_seconds: 600, ...(opts.reject ? { response_payload: { note: "Refund not justified: duplicate charge was already reversed." } } : {}) }, wait);
  }
  run.add("eval_score", { evaluator: "ragas", metric: "faithfulness", score: opts.hallucinate ? 0.21 : 0.8 + rng.next() * 0.18, passed: !opts.hallucinate, ...(opts.hallucinate ? { reason: "Approval and payout date appear in no tool result." } : {}) }, 400);
  let status = "completed";
  if (opts.crash) {
    status = "crashed";
    run.add("execution_finished", { status, error: { type: "KeyError", message: "'fraud_score'", stack: 'Traceback (most recent call last):\n  File "/srv/fraud/check.py", line 57, in score_claim\n    s = signals["fraud_score"]\nKeyError: \'fraud_score\'' } }, 800);
  } else run.add("execution_finished", { status, duration_ms: run.t - start }, 500);
  return { run, status };
}

function routed(id: string, tenant: string, start: number, rng: Rng, n: number, crashChild: boolean): LabExecution[] {
  const root = new Run(id, tenant, start, "triage-router", rng);
  root.add("execution_started", { name: "support-triage", release: "3.8.1", environment: "production" });
  llm(root, rng, "Route the insurance customer's message to claims, policy desk or fraud check.", ASKS[n % ASKS.length]![1], JSON.stringify({ route: "fraud-check" }), {}, "gpt-4o-mini");
  const childId = `${id}.fraud`;
  root.add("agent_handoff", { from_agent: "triage-router", to_agent: "fraud-check", child_execution_id: childId, kind: "delegate" }, 200);
  const child = conversation(childId, tenant, root.t + 100, rng, n, { parent: id, crash: crashChild });
  for (const e of child.run.execution.events) e.agent = "fraud-check";
  root.t = child.run.t + 500;
  root.add("execution_finished", { status: crashChild ? "failed" : "completed" }, 500);
  return [root.execution, child.run.execution];
}

function summaryJob(id: string, tenant: string, start: number, rng: Rng, n: number, bloat: number): LabExecution {
  const run = new Run(id, tenant, start, "summary-writer", rng);
  run.add("execution_started", { name: "claims-summary", release: "3.8.1", environment: "production" });
  const c = claim(rng, n);
  run.add("tool_call", { tool: "claims_lookup", arguments: { claim_id: c["claim_id"] }, result: toolResult(JSON.stringify(c), c), status: "ok", latency_ms: 120 }, 400);
  const input = (tokensOf(JSON.stringify(c)) + 600) * bloat;
  const text = `Claim ${String(c["claim_id"])} (${String(c["loss_type"])}): ${String(c["status"])}, adjuster ${String(c["adjuster"])}.`;
  run.add("llm_call", { provider: "google", model: "gemini-2.5-flash", messages: [{ role: "system", content: "Summarise the claim for the adjusters' hourly digest." }, { role: "user", content: JSON.stringify(c) }], response: text, input_tokens: input, output_tokens: tokensOf(text), cost_usd: costUsd("gemini-2.5-flash", input, tokensOf(text)), latency_ms: 800 * bloat, status: "ok", finish_reason: "stop" }, 900);
  run.add("execution_finished", { status: "completed" }, 300);
  return run.execution;
}

function story(dayStart: number, rng: Rng, prefix: string): Story {
  const c = loadCorpora();
  const executions: LabExecution[] = [];
  const at = (h: number, m = 0) => dayStart + h * HOUR + m * MIN;
  let n = 0;
  // Ordinary traffic all day: a conversation every ~4 minutes, every 8th through the router.
  for (let t = at(0); t < at(10); t += rng.int(2, 6) * MIN) {
    const id = `${prefix}-chat-${String(n).padStart(4, "0")}`;
    const tenant = TENANTS[n % TENANTS.length]!;
    const hour = (t - dayStart) / HOUR;
    const opts: NonNullable<Parameters<typeof conversation>[5]> = {};
    if (hour >= 2 && hour < 2.5 && n % 3 === 0) opts.claimShape = "v2"; // 10:00 deploy of the claims API
    if (hour >= 2.5) opts.claimShape = "v2";
    if (hour >= 3 && hour < 3.4 && n % 2 === 0) opts.authFail = true; // token expiry
    if (hour >= 5 && hour < 5.5 && n % 4 === 0) opts.loop = true;
    if (hour >= 7 && n % 9 === 0) opts.hallucinate = true;
    if (hour >= 8.5 && n % 6 === 0) opts.hitlTimeout = true;
    if (n % 8 === 7) executions.push(...routed(id, tenant, t, rng, n, hour >= 7.5 && n % 16 === 15));
    else executions.push(conversation(id, tenant, t, rng, n, opts).run.execution);
    n++;
  }
  // 12:00 an OpenAI incident hits three tenants within minutes.
  for (let k = 0; k < 3; k++) executions.push(conversation(`${prefix}-incident-${k}`, TENANTS[k]!, at(4, k * 2), rng, 100 + k, { provider503: true }).run.execution);
  // 13:30 reviewers start rejecting refunds.
  for (let k = 0; k < 7; k++) executions.push(conversation(`${prefix}-refund-${k}`, TENANTS[k % 4]!, at(5, 30 + k * 4), rng, 6 + k * 8, { reject: true }).run.execution);
  // 15:00 a broker uploads a "repair estimate" carrying a jailbreak; 15:40 a key leaks.
  const jb = c.jailbreaks.find((j) => j.source.includes("Dan_11_0"))!;
  executions.push(conversation(`${prefix}-upload-0`, "broker-network", at(7), rng, 200, { injection: jb.text }).run.execution);
  executions.push(conversation(`${prefix}-leak-0`, "broker-network", at(7, 40), rng, 201, { leak: c.secrets[0]!.text }).run.execution);
  // The claims-summary job every 10 minutes; its prompt bloats x5 from 12:30.
  for (let t = at(0, 5), k = 0; t < at(10); t += 10 * MIN, k++) executions.push(summaryJob(`${prefix}-summary-${String(k).padStart(3, "0")}`, "internal", t, rng, 300 + k, t >= at(4, 30) && t < at(5, 30) ? 5 : 1));
  return { executions };
}

async function main(): Promise<void> {
  const api = new Api(values.url!);
  const now = Date.now();
  // The story covers 08:00-18:00 of a working day that ends now.
  const dayStart = Math.floor((now - 10 * HOUR - 10 * MIN) / MIN) * MIN;
  const prefix = `harbor-${new Date(now).toISOString().slice(0, 10)}`;
  const { executions } = story(dayStart, new Rng(Number(values.seed)), prefix);
  const { requestsOf } = await import("./send.ts");
  const requests = requestsOf([{ id: "demo", start: dayStart, end: now, executions }]);
  let sent = 0;
  for (const r of requests) {
    await api.sendEvents(values.key!, r.events);
    sent += r.events.length;
  }
  console.log(`demo: sent ${sent} events of ${executions.length} executions (Harbor Mutual, ${new Date(dayStart).toISOString()} to now) to ${values.url}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
