// A small, strict Markdown renderer for playbooks. It builds DOM nodes directly and never passes
// HTML through: a `<script>` in a playbook is shown as the text "<script>". Supported: headings,
// paragraphs, lists (ordered, unordered, nested), fenced code blocks, block quotes, rules, inline
// code, strong, emphasis and links, whose href must be http(s) (anything else stays plain text).
import { h, safeHref } from "./dom.ts";

const FENCE = /^\s{0,3}(```|~~~)\s*([\w+-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;

/** Renders Markdown as a fragment. `headingOffset` shifts levels so a playbook's `##` sits under the page's title. */
export function renderMarkdown(markdown: string, headingOffset = 1): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const node of blocks(markdown.replace(/\r\n?/g, "\n").split("\n"), headingOffset)) fragment.appendChild(node);
  return fragment;
}

function indentOf(line: string): number {
  return (/^\s*/.exec(line)?.[0] ?? "").replace(/\t/g, "    ").length;
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line);
}

function blocks(lines: readonly string[], headingOffset: number): Node[] {
  const out: Node[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) body.push(lines[i++]!);
      i++; // the closing fence (or the end of the text)
      const code = h("code", {}, body.join("\n"));
      if (fence[2]) code.className = `language-${fence[2]}`;
      out.push(h("pre", {}, code));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(heading[1]!.length + headingOffset, 6);
      const el = document.createElement(`h${level}`);
      el.append(...inline(heading[2]!));
      out.push(el);
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push(h("hr"));
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) quoted.push(QUOTE.exec(lines[i++]!)![1]!);
      out.push(h("blockquote", {}, blocks(quoted, headingOffset)));
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      const [list, next] = listAt(lines, i, headingOffset);
      out.push(list);
      i = next;
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "" && (para.length === 0 || !startsBlock(lines[i]!))) para.push(lines[i++]!.trim());
    out.push(h("p", {}, inline(para.join(" "))));
  }
  return out;
}

/** A list starting at `start`; returns it and the index of the first line after it. */
function listAt(lines: readonly string[], start: number, headingOffset: number): [HTMLElement, number] {
  const first = ITEM.exec(lines[start]!)!;
  const ordered = /\d/.test(first[2]!);
  const baseIndent = indentOf(first[1]!);
  const list = ordered ? h("ol") : h("ul");
  if (ordered) {
    const n = Number.parseInt(first[2]!, 10);
    if (n !== 1) list.setAttribute("start", String(n));
  }
  let i = start;
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]!);
    if (!m || indentOf(m[1]!) !== baseIndent || /\d/.test(m[2]!) !== ordered) break;
    const contentIndent = baseIndent + m[2]!.length + 1;
    const body = [m[3]!];
    i++;
    let loose = false;
    while (i < lines.length) {
      const l = lines[i]!;
      if (l.trim() === "") {
        // A blank line continues the item only if the next text is indented under it.
        const nextText = lines.slice(i + 1).find((x) => x.trim() !== "");
        if (nextText !== undefined && indentOf(nextText) >= contentIndent) {
          body.push("");
          loose = true;
          i++;
          continue;
        }
        break;
      }
      const indent = indentOf(l);
      const sibling = ITEM.exec(l);
      if (sibling && indentOf(sibling[1]!) <= baseIndent) break;
      // Lazy continuation: a non-indented line that starts no block still belongs to the item.
      if (indent < contentIndent && startsBlock(l) && !sibling) break;
      body.push(indent >= contentIndent ? l.slice(Math.min(contentIndent, l.length - l.trimStart().length)) : l.trim());
      i++;
    }
    const nested = body.slice(1).some((l) => startsBlock(l));
    const li = h("li");
    if (!loose && !nested) li.append(...inline(body.map((l) => l.trim()).join(" ")));
    else {
      const children = blocks(body, headingOffset);
      // A tight item's first paragraph is its text, not a separate block.
      if (!loose && children[0] instanceof HTMLParagraphElement) li.append(...children[0].childNodes, ...children.slice(1));
      else li.append(...children);
    }
    list.appendChild(li);
    // Blank lines between items of the same list.
    let j = i;
    while (j < lines.length && lines[j]!.trim() === "") j++;
    const again = j < lines.length ? ITEM.exec(lines[j]!) : null;
    if (j > i && again && indentOf(again[1]!) === baseIndent && /\d/.test(again[2]!) === ordered) i = j;
  }
  return [list, i];
}

const LINK = /^\[([^\]\n]+)\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/;

/** Inline Markdown as nodes: code spans first (their content is literal), then links, strong, emphasis. */
export function inline(text: string): Node[] {
  const out: Node[] = [];
  let buffer = "";
  const flush = () => {
    if (buffer) out.push(document.createTextNode(buffer));
    buffer = "";
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length && /[\\`*_[\]()#+\-.!<>]/.test(text[i + 1]!)) {
      buffer += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "`") {
      const ticks = /^`+/.exec(text.slice(i))![0];
      const end = text.indexOf(ticks, i + ticks.length);
      if (end !== -1) {
        flush();
        out.push(h("code", {}, text.slice(i + ticks.length, end).trim() || text.slice(i + ticks.length, end)));
        i = end + ticks.length;
        continue;
      }
      buffer += ticks;
      i += ticks.length;
      continue;
    }
    if (ch === "[") {
      const link = LINK.exec(text.slice(i));
      if (link) {
        flush();
        const href = safeHref(link[2]!);
        // Only absolute http(s) links become links; a javascript: or relative target stays text.
        out.push(href && !href.startsWith("#") ? h("a", { href, target: "_blank" }, inline(link[1]!)) : h("span", {}, inline(link[1]!)));
        i += link[0].length;
        continue;
      }
    }
    if (ch === "*" && text[i + 1] === "*") {
      const end = text.indexOf("**", i + 2);
      if (end > i + 2) {
        flush();
        out.push(h("strong", {}, inline(text.slice(i + 2, end))));
        i = end + 2;
        continue;
      }
    }
    if ((ch === "*" || ch === "_") && text[i + 1] !== undefined && !/\s/.test(text[i + 1]!) && (ch === "*" || i === 0 || /[\s(]/.test(text[i - 1]!))) {
      // `_` only at a word start, so snake_case names are never emphasis.
      let end = text.indexOf(ch, i + 1);
      while (end !== -1 && (/\s/.test(text[end - 1]!) || (ch === "_" && end + 1 < text.length && /\w/.test(text[end + 1]!)))) end = text.indexOf(ch, end + 1);
      if (end > i + 1) {
        flush();
        out.push(h("em", {}, inline(text.slice(i + 1, end))));
        i = end + 1;
        continue;
      }
    }
    buffer += ch;
    i++;
  }
  flush();
  return out;
}
