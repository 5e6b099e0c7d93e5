// Vigil's Worker: the HTTP API and the digest cron. State lives in the two Durable Object classes
// exported here; this file only wires them.
import { createApp } from "./app.ts";
import { runScheduled } from "./cron/scheduled.ts";

export { ExecutionObject } from "../durable-objects/execution/execution-object.ts";
export { ProjectObject } from "../durable-objects/project/project-object.ts";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  scheduled: (controller, env, ctx) => runScheduled(controller, env, ctx),
} satisfies ExportedHandler<Env>;
