// List prices in USD per million tokens (input, output), by model-id prefix, for executions that
// send tokens but no cost. Projects override or extend them with settings.cost_velocity.prices.
// Open-weight models vary by host; their figures are typical hosted prices.
import { lookupByPrefix, normaliseModelId } from "./model-ids.ts";

export interface ModelPrice {
  input: number;
  output: number;
}

export const MODEL_PRICES: ReadonlyArray<readonly [string, ModelPrice]> = [
  ["claude-opus-4-5", { input: 5, output: 25 }],
  ["claude-opus-4", { input: 15, output: 75 }],
  ["claude-sonnet-4", { input: 3, output: 15 }],
  ["claude-haiku-4", { input: 1, output: 5 }],
  ["claude-3-7-sonnet", { input: 3, output: 15 }],
  ["claude-3-5-sonnet", { input: 3, output: 15 }],
  ["claude-3-5-haiku", { input: 0.8, output: 4 }],
  ["claude-3-opus", { input: 15, output: 75 }],
  ["claude-3-haiku", { input: 0.25, output: 1.25 }],
  ["gpt-5-nano", { input: 0.05, output: 0.4 }],
  ["gpt-5-mini", { input: 0.25, output: 2 }],
  ["gpt-5", { input: 1.25, output: 10 }],
  ["gpt-4.1-nano", { input: 0.1, output: 0.4 }],
  ["gpt-4.1-mini", { input: 0.4, output: 1.6 }],
  ["gpt-4.1", { input: 2, output: 8 }],
  ["gpt-4o-mini", { input: 0.15, output: 0.6 }],
  ["gpt-4o", { input: 2.5, output: 10 }],
  ["gpt-4-turbo", { input: 10, output: 30 }],
  ["gpt-4", { input: 30, output: 60 }],
  ["gpt-3.5-turbo", { input: 0.5, output: 1.5 }],
  ["o1-mini", { input: 1.1, output: 4.4 }],
  ["o1", { input: 15, output: 60 }],
  ["o3-mini", { input: 1.1, output: 4.4 }],
  ["o3", { input: 2, output: 8 }],
  ["o4-mini", { input: 1.1, output: 4.4 }],
  ["gemini-2.5-pro", { input: 1.25, output: 10 }],
  ["gemini-2.5-flash-lite", { input: 0.1, output: 0.4 }],
  ["gemini-2.5-flash", { input: 0.3, output: 2.5 }],
  ["gemini-2.0-flash", { input: 0.1, output: 0.4 }],
  ["gemini-1.5-pro", { input: 1.25, output: 5 }],
  ["gemini-1.5-flash", { input: 0.075, output: 0.3 }],
  ["mistral-large", { input: 2, output: 6 }],
  ["mistral-medium", { input: 0.4, output: 2 }],
  ["mistral-small", { input: 0.1, output: 0.3 }],
  ["codestral", { input: 0.3, output: 0.9 }],
  ["llama-4-maverick", { input: 0.2, output: 0.6 }],
  ["llama-4-scout", { input: 0.1, output: 0.3 }],
  ["llama-3.3-70b", { input: 0.6, output: 0.6 }],
  ["llama-3.1-405b", { input: 3, output: 3 }],
  ["llama-3.1-70b", { input: 0.6, output: 0.6 }],
  ["llama-3.1-8b", { input: 0.1, output: 0.1 }],
];

/**
 * The cost of one LLM call: the event's own cost_usd when sent, else tokens times the project's or
 * the built-in price; null when neither is known.
 */
export function callCostUsd(
  call: { model: string; cost_usd?: number; input_tokens?: number; output_tokens?: number },
  customPrices: Readonly<Record<string, ModelPrice>> = {},
): number | null {
  if (call.cost_usd !== undefined) return call.cost_usd;
  if (call.input_tokens === undefined && call.output_tokens === undefined) return null;
  const custom = Object.entries(customPrices).map(([k, v]) => [normaliseModelId(k), v] as const);
  const price = lookupByPrefix(custom, call.model) ?? lookupByPrefix(MODEL_PRICES, call.model);
  if (!price) return null;
  return ((call.input_tokens ?? 0) * price.input + (call.output_tokens ?? 0) * price.output) / 1_000_000;
}
