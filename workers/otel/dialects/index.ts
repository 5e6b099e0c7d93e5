// The dialects, in the order they are tried: the first that claims a span maps it. OpenInference
// and the Vercel AI SDK come first because their spans often carry gen_ai.* attributes as well,
// and their own kind/operation attribute is the more precise statement of what the span is.
import type { Dialect } from "../dialect.ts";
import { langfuse } from "./langfuse.ts";
import { openInference } from "./openinference.ts";
import { otelGenAi } from "./otel-genai.ts";
import { vercelAi } from "./vercel-ai.ts";

export const DIALECTS: readonly Dialect[] = [openInference, vercelAi, otelGenAi, langfuse];
