/**
 * A model id without provider routing prefixes ("openai/", Bedrock's "us.anthropic.", "models/"),
 * lower-cased, so registries can match by prefix.
 */
export function normaliseModelId(model: string): string {
  let id = model.trim().toLowerCase();
  const slash = id.lastIndexOf("/");
  if (slash >= 0) id = id.slice(slash + 1);
  return id.replace(/^(?:[a-z]{2}\.)?(?:anthropic|meta|mistral|google)\./, "");
}

/** Longest-prefix lookup over a table of [prefix, value] pairs of normalised ids. */
export function lookupByPrefix<T>(table: ReadonlyArray<readonly [string, T]>, model: string): T | null {
  const id = normaliseModelId(model);
  let best: T | null = null;
  let bestLength = -1;
  for (const [prefix, value] of table) {
    if (prefix.length > bestLength && id.startsWith(prefix)) {
      best = value;
      bestLength = prefix.length;
    }
  }
  return best;
}
