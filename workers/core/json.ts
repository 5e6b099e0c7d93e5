/** JSON values: what crosses RPC and is stored as JSON text (unlike `unknown`, RPC-serialisable). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
