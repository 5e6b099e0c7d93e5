// Detector thresholds. Defaults live here; a project stores a partial override (projects.settings in
// D1) and an execution's policy overrides budgets and halt_on. The resolved object travels with each
// ingest batch to the execution object, so a settings change takes effect without redeploy.
import { z } from "zod";
import { FAILURE_CLASSES } from "./failure-classes.ts";

const ratio = z.number().min(0).max(1);

export const detectorSettingsSchema = z.object({
  /** Classes whose first finding makes Vigil answer `halt` for the execution (spec 4.3). */
  halt_on: z.array(z.enum(FAILURE_CLASSES)).default([]),
  time_budget_exceeded: z
    .object({ max_wall_seconds: z.number().positive().nullable().default(3600) })
    .default({ max_wall_seconds: 3600 }),
  step_count_exceeded: z
    .object({ max_steps: z.number().int().positive().nullable().default(500) })
    .default({ max_steps: 500 }),
  tool_failure: z.object({ min_failures: z.number().int().min(1).default(1) }).default({ min_failures: 1 }),
  grounding_failure: z.object({ min_mean_score: ratio.default(0.5) }).default({ min_mean_score: 0.5 }),
  hitl_timeout: z
    .object({ default_sla_seconds: z.number().positive().nullable().default(null) })
    .default({ default_sla_seconds: null }),
  infrastructure_throttled: z.object({ min_events: z.number().int().min(1).default(1) }).default({ min_events: 1 }),
  identical_call_loop: z
    .object({
      /** Fires when the same model and messages are sent more than this many times. */
      max_repeats: z.number().int().min(1).default(3),
      window: z.number().int().min(10).max(1000).default(200),
    })
    .default({ max_repeats: 3, window: 200 }),
  similar_call_loop: z
    .object({
      min_similar: z.number().int().min(2).default(3),
      similarity: ratio.default(0.9),
      window: z.number().int().min(2).max(50).default(10),
      min_chars: z.number().int().min(0).default(40),
    })
    .default({ min_similar: 3, similarity: 0.9, window: 10, min_chars: 40 }),
  token_waste: z
    .object({
      min_repeats: z.number().int().min(2).default(3),
      prefix_chars: z.number().int().min(64).max(16384).default(2048),
      min_chars: z.number().int().min(0).default(200),
      window: z.number().int().min(10).max(1000).default(200),
    })
    .default({ min_repeats: 3, prefix_chars: 2048, min_chars: 200, window: 200 }),
  context_overflow: z
    .object({
      warn_ratio: ratio.default(0.9),
      /** Context windows in tokens by model id, overriding or extending the built-in registry. */
      custom_windows: z.record(z.string(), z.number().int().positive()).default({}),
    })
    .default({ warn_ratio: 0.9, custom_windows: {} }),
  semantic_loop: z
    .object({ min_repeats: z.number().int().min(2).default(3), window: z.number().int().min(10).max(1000).default(200) })
    .default({ min_repeats: 3, window: 200 }),
  // Content scanners at the edge (workers/scanners/).
  data_leakage: z
    .object({
      /**
       * The project's own secret patterns, checked for catastrophic backtracking when saved
       * (workers/scanners/custom-rules.ts) and redacted like the built-in rules.
       */
      custom_rules: z
        .array(z.object({ id: z.string().min(1).max(64), pattern: z.string().min(1).max(512), severity: z.enum(["low", "medium", "high", "critical"]) }))
        .max(50)
        .default([]),
    })
    .default({ custom_rules: [] }),
  // Project-wide classes (durable-objects/project/detectors/).
  provider_incident: z
    .object({ min_tenants: z.number().int().min(1).default(2), window_minutes: z.number().int().min(1).max(1440).default(15) })
    .default({ min_tenants: 2, window_minutes: 15 }),
  hitl_rejection_spike: z
    .object({
      min_executions: z.number().int().min(1).default(5),
      rejected_share: ratio.default(0.4),
      edited_share: ratio.default(0.3),
      window_minutes: z.number().int().min(1).max(1440).default(60),
    })
    .default({ min_executions: 5, rejected_share: 0.4, edited_share: 0.3, window_minutes: 60 }),
  cost_velocity: z
    .object({
      /** Fires when a workload's mean cost per execution reaches this multiple of the prior window's. */
      max_ratio: z.number().min(1).default(2),
      window_minutes: z.number().int().min(5).max(10080).default(60),
      min_executions: z.number().int().min(1).default(5),
      /** Per-model prices (USD per million tokens), overriding the built-in table. */
      prices: z.record(z.string(), z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() })).default({}),
    })
    .default({ max_ratio: 2, window_minutes: 60, min_executions: 5, prices: {} }),
  drift: z
    .object({
      window_minutes: z.number().int().min(5).max(10080).default(60),
      /** Total-variation distance between model shares (0..1) that counts as a model-mix shift. */
      model_mix_distance: ratio.default(0.3),
      /**
       * Cosine distance between 3-gram profiles of prompts and outputs that counts as lexical drift.
       * Measured on real chat turns (docs/decisions/0003): windows of 30 tau-bench airline turns sit
       * at most 0.086 from each other; 30 off-topic role prompts at least 0.128.
       */
      lexical_distance: ratio.default(0.11),
      min_calls: z.number().int().min(1).default(30),
    })
    .default({ window_minutes: 60, model_mix_distance: 0.3, lexical_distance: 0.11, min_calls: 30 }),
  tool_schema_drift: z
    .object({ min_prior_calls: z.number().int().min(1).default(10), majority: ratio.default(2 / 3) })
    .default({ min_prior_calls: 10, majority: 2 / 3 }),
});

export type DetectorSettings = z.infer<typeof detectorSettingsSchema>;

export const DEFAULT_DETECTOR_SETTINGS: DetectorSettings = detectorSettingsSchema.parse({});

/** Drops a field's default, so an override stores only what was set and later defaults still apply. */
function withoutDefault(field: z.ZodType): z.ZodType {
  return field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field;
}

/** A partial override as stored per project: every key optional, nested objects partial. */
export const detectorSettingsPatchSchema = z
  .object({
    halt_on: (withoutDefault(detectorSettingsSchema.shape.halt_on) as z.ZodArray).optional(),
    ...Object.fromEntries(
      Object.entries(detectorSettingsSchema.shape)
        .filter(([k]) => k !== "halt_on")
        .map(([k, v]) => {
          const inner = withoutDefault(v) as z.ZodObject;
          const fields = Object.fromEntries(Object.entries(inner.shape).map(([f, t]) => [f, withoutDefault(t as z.ZodType).optional()]));
          return [k, z.object(fields).strict().optional()];
        }),
    ),
  })
  .strict();

/** Merges a stored project override over the defaults; an unreadable override yields the defaults. */
export function resolveDetectorSettings(stored: unknown): DetectorSettings {
  const parsed = detectorSettingsPatchSchema.safeParse(stored);
  if (!parsed.success) return DEFAULT_DETECTOR_SETTINGS;
  const patch = parsed.data as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...DEFAULT_DETECTOR_SETTINGS };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const base = merged[key];
    merged[key] =
      Array.isArray(value) || typeof value !== "object" || value === null
        ? value
        : { ...(base as object), ...(value as object) };
  }
  return detectorSettingsSchema.parse(merged);
}
