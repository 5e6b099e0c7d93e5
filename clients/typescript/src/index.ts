// Vigil's TypeScript client (spec section 8). See ../README.md.
export { Execution, VigilClient, VigilHaltError, VigilRequestError, createClient, retryAfterMs } from "./client.ts";
export type { ClientOptions } from "./client.ts";
export { errorClassOf, wrapOpenAI } from "./openai.ts";
export type { WrapOptions } from "./openai.ts";
export type { ClientStats, EventFields, EventType, HaltDirective, IngestResponse, VigilEvent } from "./types.ts";
