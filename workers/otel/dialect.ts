// What a dialect mapper is: a table saying which spans are inference, tool and agent spans in one
// instrumentation convention, and which attributes hold each event field, in order of preference.
// One file per dialect under dialects/; a new convention is one new file plus a line in DIALECTS.
import type { AttrValue, Attributes, OtelSpan } from "./span.ts";
import { firstInt, firstJson, firstString } from "./span.ts";

export type SpanRole = "llm" | "tool" | "agent";

export interface ChatMessage {
  role: string;
  content?: AttrValue;
}

/** An attribute list in order of preference, or a function for what a list cannot say. */
export type FieldSource<T> = readonly string[] | ((span: OtelSpan) => T | undefined);

export interface LlmFields {
  model: FieldSource<string>;
  provider: FieldSource<string>;
  inputTokens: FieldSource<number>;
  outputTokens: FieldSource<number>;
  costUsd?: FieldSource<number>;
  finishReason?: FieldSource<string>;
  messages?: FieldSource<ChatMessage[]>;
  system?: FieldSource<AttrValue>;
  prompt?: FieldSource<AttrValue>;
  response?: FieldSource<AttrValue>;
}

export interface ToolFields {
  name: FieldSource<string>;
  arguments?: FieldSource<AttrValue>;
  result?: FieldSource<AttrValue>;
  callId?: FieldSource<string>;
}

export interface AgentFields {
  /** A name the instrumentation gave the agent on purpose; handoffs are only inferred between such names. */
  name: FieldSource<string>;
}

export interface Dialect {
  /** Stable id, reported in ingest health and the mapping report. */
  name: string;
  /** Whether the span is written in this dialect at all (the first dialect that claims a span maps it). */
  claims(span: OtelSpan): boolean;
  /** The span's role in this dialect, or null for spans it knows and ignores (chains, retrievers...). */
  role(span: OtelSpan): SpanRole | null;
  llm: LlmFields;
  tool: ToolFields;
  agent: AgentFields;
  /** A failure the dialect states in its own attributes, beyond span status and exception events. */
  failure?: (span: OtelSpan) => { type?: string; message?: string } | undefined;
}

export function readString(span: OtelSpan, source: FieldSource<string> | undefined): string | undefined {
  if (source === undefined) return undefined;
  return typeof source === "function" ? source(span) : firstString(span.attributes, source);
}

export function readInt(span: OtelSpan, source: FieldSource<number> | undefined): number | undefined {
  if (source === undefined) return undefined;
  return typeof source === "function" ? source(span) : firstInt(span.attributes, source);
}

export function readJson<T>(span: OtelSpan, source: FieldSource<T> | undefined): T | AttrValue | undefined {
  if (source === undefined) return undefined;
  return typeof source === "function" ? source(span) : firstJson(span.attributes, source);
}

/** A numeric attribute that may be a double (costs): ints, doubles and numeric strings. */
export function attrNumber(attrs: Attributes, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const v = attrs.get(k);
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
    if (Number.isFinite(n) && n >= 0) return n;
  }
  return undefined;
}

/**
 * Message content as events carry it: a plain string when every part is text (so the same prompt
 * hashes the same whichever convention sent it), else the parts as sent.
 */
export function contentOf(value: AttrValue | undefined): AttrValue | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    const texts: string[] = [];
    for (const part of value) {
      if (part !== null && typeof part === "object" && !Array.isArray(part)) {
        const type = part.type;
        const text = part.content ?? part.text;
        if ((type === "text" || type === undefined) && typeof text === "string") {
          texts.push(text);
          continue;
        }
      } else if (typeof part === "string") {
        texts.push(part);
        continue;
      }
      return value;
    }
    return texts.join("\n");
  }
  return value;
}

/** `[{role, parts|content}]` JSON (OTel GenAI, Vercel, chat APIs) -> messages; anything else -> undefined. */
export function messagesFromJson(value: AttrValue | undefined): ChatMessage[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const out: ChatMessage[] = [];
  for (const m of value) {
    if (m === null || typeof m !== "object" || Array.isArray(m)) return undefined;
    const role = typeof m.role === "string" && m.role !== "" ? m.role : undefined;
    if (!role) return undefined;
    const content = contentOf(m.parts ?? m.content);
    out.push(content === undefined ? { role } : { role, content });
  }
  return out;
}
