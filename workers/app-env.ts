import type { Hono } from "hono";

export interface AppEnv {
  Bindings: Env;
  Variables: { requestId: string };
}

export type App = Hono<AppEnv>;
