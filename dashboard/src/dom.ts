// Building the page without ever parsing a string as HTML. Every text from the API (event payloads,
// signatures, names, playbooks) reaches the page as a Text node or an attribute value, never
// through innerHTML, so markup in it stays text. Attribute names are fixed by this code, never by
// data; event handlers are attached as functions, and `on*` attributes are refused outright.

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Props {
  class?: string;
  id?: string;
  href?: string;
  title?: string;
  type?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  for?: string;
  role?: string;
  disabled?: boolean;
  checked?: boolean;
  required?: boolean;
  open?: boolean;
  selected?: boolean;
  autocomplete?: string;
  list?: string;
  rows?: number;
  spellcheck?: boolean;
  target?: string;
  /** `data-*` attributes (the e2e tests find elements by them). */
  data?: Record<string, string>;
  aria?: Record<string, string>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

/** Only http(s) links and the dashboard's own hash routes; anything else (javascript:, data:) is dropped. */
export function safeHref(href: string): string | null {
  if (href.startsWith("#")) return href;
  try {
    const url = new URL(href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child as readonly Child[]) append(parent, c);
    return;
  }
  parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props) as [keyof Props, Props[keyof Props]][]) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") {
      for (const [event, handler] of Object.entries(value as NonNullable<Props["on"]>)) el.addEventListener(event, handler as EventListener);
    } else if (key === "data") {
      for (const [k, v] of Object.entries(value as Record<string, string>)) el.dataset[k] = v;
    } else if (key === "aria") {
      for (const [k, v] of Object.entries(value as Record<string, string>)) el.setAttribute(`aria-${k}`, v);
    } else if (key === "href") {
      const href = safeHref(String(value));
      if (href) el.setAttribute("href", href);
      if (href && !href.startsWith("#")) el.setAttribute("rel", "noopener noreferrer");
    } else if (key === "value" && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)) {
      el.value = String(value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** SVG elements for charts and graphs; attribute names come from this code, values are numbers or our own strings. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (/^on/i.test(key) || key === "href") throw new Error(`refusing SVG attribute ${key}`);
    el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Replaces an element's content. */
export function mount(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
