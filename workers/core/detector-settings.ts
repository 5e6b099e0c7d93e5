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
});

export type DetectorSettings = z.infer<typeof detectorSettingsSchema>;

export const DEFAULT_DETECTOR_SETTINGS: DetectorSettings = detectorSettingsSchema.parse({});

/** A partial override as stored per project: every key optional, nested objects partial. */
export const detectorSettingsPatchSchema = z
  .object({
    halt_on: detectorSettingsSchema.shape.halt_on.unwrap().optional(),
    ...Object.fromEntries(
      Object.entries(detectorSettingsSchema.shape)
        .filter(([k]) => k !== "halt_on")
        .map(([k, v]) => [k, (v as z.ZodDefault<z.ZodObject>).unwrap().partial().strict().optional()]),
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
