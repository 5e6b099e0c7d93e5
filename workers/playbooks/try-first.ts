// The first advice of a playbook's "Try first" section, as short plain text for run summaries and
// notifications.
import { findPlaybook } from "./lookup.ts";

/** Longest suggested fix, cut at a sentence end: a fix, not the playbook. */
const TRY_FIRST_MAX = 400;
/** Playbooks are static: each one's fix text is extracted once per isolate. */
const tryFirstCache = new Map<string, string | null>();

/**
 * The first advice of the playbook's "Try first" section as plain text: its first paragraph (or
 * bullet list), with Markdown marks removed. Code samples are left to the playbook itself.
 */
export function tryFirstText(playbookId: string, markdown: string): string | null {
  const cached = tryFirstCache.get(playbookId);
  if (cached !== undefined) return cached;
  const blocks = proseBlocks(markdown);
  // The first paragraph; when it ends with ":" and a list follows, the list is part of the advice.
  const first = blocks[0] ?? [];
  const { intro, items } = splitBullets(first);
  const next = blocks[1];
  if (items.length === 0 && /:$/.test(intro) && next && splitBullets(next).intro === "") items.push(...splitBullets(next).items);
  const list = items
    .map((item) => plainText(item).replace(/[.;]$/, ""))
    .filter(Boolean)
    .join("; ");
  const lead = plainText(intro);
  let text = list === "" ? lead.replace(/:$/, ".") : `${lead === "" ? "" : `${/[:.]$/.test(lead) ? lead : `${lead}:`} `}${list}`;
  if (list !== "" && !/[.!?]$/.test(text)) text += ".";
  if (text.length > TRY_FIRST_MAX) {
    const cut = text.slice(0, TRY_FIRST_MAX);
    const end = Math.max(cut.lastIndexOf(". "), cut.lastIndexOf("; "));
    text = end > TRY_FIRST_MAX / 2 ? cut.slice(0, end + 1).replace(/;$/, ".") : `${cut.slice(0, TRY_FIRST_MAX - 1)}…`;
  }
  const result = text === "" ? null : text;
  tryFirstCache.set(playbookId, result);
  return result;
}

/** The "Try first" section's paragraphs and lists, as trimmed lines, code samples left out. */
function proseBlocks(markdown: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => /^##\s+Try first\s*$/.test(l));
  const blocks: string[][] = [];
  if (start < 0) return blocks;
  let current: string[] = [];
  let fenced = false;
  const close = () => {
    if (current.length > 0) blocks.push(current);
    current = [];
  };
  for (const line of lines.slice(start + 1)) {
    if (/^##\s/.test(line)) break;
    if (/^\s*```/.test(line)) {
      close();
      fenced = !fenced;
      // A code sample ends the advice's prose: what follows it is a further step.
      if (!fenced) break;
      continue;
    }
    if (fenced) continue;
    if (line.trim() === "") close();
    else current.push(line.trim());
  }
  close();
  return blocks;
}

/** The lines before the first bullet, and each bullet with its wrapped continuation lines. */
function splitBullets(block: readonly string[]): { intro: string; items: string[] } {
  const introLines: string[] = [];
  const items: string[] = [];
  for (const line of block) {
    const m = /^(?:[-*]|\d+\.)\s+(.*)$/.exec(line);
    if (m) items.push(m[1]!);
    else if (items.length > 0) items[items.length - 1] += ` ${line}`;
    else introLines.push(line);
  }
  return { intro: introLines.join(" "), items };
}

/** Markdown inline marks removed (code spans, emphasis, links); identifiers such as tool_call kept. */
function plainText(markdown: string): string {
  return markdown
    .split(/(`[^`]*`)/)
    .map((part, i) =>
      // Odd parts are code spans: kept verbatim, so `***-**-1234` is not read as emphasis.
      i % 2 === 1
        ? part.slice(1, -1)
        : part
            .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
            .replace(/\*\*([^*]+)\*\*/g, "$1")
            .replace(/(^|[^\w*])\*([^*\s][^*]*)\*(?!\w)/g, "$1$2")
            .replace(/(^|[^\w])_([^_\s][^_]*)_(?!\w)/g, "$1$2"),
    )
    .join("")
    .replace(/\s+/g, " ")
    .trim();
}


export function suggestedFix(failureClass: string, signature: string): { playbook_id: string; title: string; try_first: string | null } | null {
  const playbook = findPlaybook(failureClass, signature);
  return playbook ? { playbook_id: playbook.id, title: playbook.title, try_first: tryFirstText(playbook.id, playbook.markdown) } : null;
}
