// Context windows in tokens of current models, by model-id prefix (longest prefix wins). Provider
// routing prefixes ("openai/", Bedrock's "us.anthropic.", "models/") are stripped before matching.
// Projects add or override entries with settings.context_overflow.custom_windows.
// Figures are the providers' documented standard windows (beta long-context modes excluded).
import { lookupByPrefix, normaliseModelId } from "../../../workers/core/model-ids.ts";

export const CONTEXT_WINDOWS: ReadonlyArray<readonly [prefix: string, tokens: number]> = [
  // Anthropic Claude
  ["claude-opus-4", 200_000],
  ["claude-sonnet-4", 200_000],
  ["claude-haiku-4", 200_000],
  ["claude-3-7-sonnet", 200_000],
  ["claude-3-5-sonnet", 200_000],
  ["claude-3-5-haiku", 200_000],
  ["claude-3-opus", 200_000],
  ["claude-3-sonnet", 200_000],
  ["claude-3-haiku", 200_000],
  ["claude-2", 100_000],
  // OpenAI GPT and reasoning models
  ["gpt-5", 400_000],
  ["gpt-4.1", 1_047_576],
  ["gpt-4.5", 128_000],
  ["gpt-4o", 128_000],
  ["chatgpt-4o", 128_000],
  ["gpt-4-turbo", 128_000],
  ["gpt-4-1106", 128_000],
  ["gpt-4-0125", 128_000],
  ["gpt-4-32k", 32_768],
  ["gpt-4", 8_192],
  ["gpt-3.5-turbo", 16_385],
  ["gpt-oss", 131_072],
  ["o1-mini", 128_000],
  ["o1", 200_000],
  ["o3", 200_000],
  ["o4-mini", 200_000],
  // Google Gemini
  ["gemini-3", 1_048_576],
  ["gemini-2.5", 1_048_576],
  ["gemini-2.0", 1_048_576],
  ["gemini-1.5-pro", 2_097_152],
  ["gemini-1.5-flash", 1_048_576],
  ["gemini-1.0-pro", 32_760],
  // Meta Llama
  ["llama-4-scout", 10_000_000],
  ["llama-4-maverick", 1_048_576],
  ["llama-3.3", 131_072],
  ["llama-3.2", 131_072],
  ["llama-3.1", 131_072],
  ["llama3.3", 131_072],
  ["llama3.2", 131_072],
  ["llama3.1", 131_072],
  ["llama-3", 8_192],
  ["llama3", 8_192],
  // Mistral
  ["mistral-large", 131_072],
  ["mistral-medium", 131_072],
  ["mistral-small", 131_072],
  ["magistral", 40_000],
  ["codestral", 262_144],
  ["devstral", 131_072],
  ["ministral", 131_072],
  ["pixtral", 131_072],
  ["open-mistral-nemo", 131_072],
  ["mistral-nemo", 131_072],
  ["open-mixtral-8x22b", 65_536],
  ["mixtral-8x22b", 65_536],
  ["open-mixtral-8x7b", 32_768],
  ["mixtral-8x7b", 32_768],
  ["open-mistral-7b", 32_768],
  ["mistral-7b", 32_768],
];

/** The model's context window in tokens, or null when neither the project nor the registry knows it. */
export function contextWindowFor(model: string, custom: Readonly<Record<string, number>> = {}): number | null {
  const exact = custom[model];
  if (exact !== undefined) return exact;
  const customNormalised = Object.entries(custom).map(([k, v]) => [normaliseModelId(k), v] as const);
  return lookupByPrefix(customNormalised, model) ?? lookupByPrefix(CONTEXT_WINDOWS, model);
}
