// The contract of a failure mode: what it injects, which class it must produce, where that
// class's finding is expected, and how to recognise its events (for the label tests).
import type { Corpora } from "../corpora.ts";
import type { Rng } from "../prng.ts";
import type { LabEvent, LabExecution } from "../types.ts";

export type Scope =
  /** One run (or run tree) carries the failure; sent with the ordinary traffic. */
  | "execution"
  /** A pattern across executions inside a time window; placed in its own slot and sent alone. */
  | "episode";

export interface BuildContext {
  /** Injection id; also the prefix of its execution ids. */
  id: string;
  /** Instance number of this mode, for rotating variants and sources. */
  index: number;
  start: number;
  tenant: string;
  /** Tenants for episodes that need several. */
  tenants: readonly string[];
  rng: Rng;
  corpora: Corpora;
}

export interface Built {
  executions: LabExecution[];
  detect_on: string[];
  completing: LabEvent;
  implied?: Record<string, string[]>;
  variant: string;
  source?: string | null;
  description: string;
  clean_run: string;
}

export interface ModeSpec {
  mode: string;
  failure_class: string;
  /** The name for it. */
  label: string;
  scope: Scope;
  /** Rule-based on injected content or counts: held to the recall gate. */
  deterministic: boolean;
  /** Probability per run (execution modes) or per slot (episodes) in probabilistic mode, before the multiplier. */
  probability: number;
  /** Why the injection crosses the detector's threshold (printed in the report). */
  crosses: string;
  build(ctx: BuildContext): Built;
}

/** Marks an event as carrying an injected failure (the label the tests check). */
export function label<T extends LabEvent>(event: T, mode: string): T {
  const e: LabEvent = event;
  e.attributes = { ...((e.attributes as Record<string, unknown> | undefined) ?? {}), "lab.injected": mode };
  return event;
}
