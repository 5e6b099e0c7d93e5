// Reads and validates a JSON request body for the write routes: one place that turns bad input
// into the envelope's invalid_json / invalid_body codes with a message of ours (never zod's).
import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../errors.ts";

/** `expected` describes the body for people, e.g. 'JSON: {"name": "..."}'. */
export async function readJsonBody<T>(c: Context<AppEnv>, schema: z.ZodType<T>, expected: string): Promise<T> {
  let input: unknown;
  try {
    input = await c.req.json();
  } catch {
    throw new ApiError("invalid_json", `The body must be ${expected}.`);
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "body";
    throw new ApiError("invalid_body", `${field} is invalid; the body must be ${expected}.`);
  }
  return parsed.data;
}
