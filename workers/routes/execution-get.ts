// GET /v1/executions/{id}?limit=&cursor=: the execution, its events in time order (already
// redacted), its findings with their groups, its halt state and the full run summary (the same as
// GET /v1/executions/{id}/summary). The raw metrics record stays internal: the summary presents it. Read from the
// execution's own object, which is named by project: another project's id is simply not found.
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { executionStub } from "../ingest/dispatch.ts";
import type { ExecutionView } from "../../durable-objects/execution/rpc-types.ts";
import { summarizeExecution } from "../read/execution-summary.ts";

/** The stub's method, typed directly: mapping the recursive JSON type through RPC types is too deep for tsc. */
interface ExecutionReader {
  read(options: { limit?: number; cursor?: string | null }): Promise<ExecutionView | null>;
}

export function registerExecutionGet(app: App): void {
  app.get("/v1/executions/:id", async (c) => {
    const caller = await requireProject(c, ["read"]);
    const id = c.req.param("id");
    if (id.length < 1 || id.length > 128) throw new ApiError("not_found", "No such execution in this project.");
    const limitParam = Number(c.req.query("limit") ?? "500");
    const stub = executionStub(c.env, caller.projectId, id) as unknown as ExecutionReader;
    const view = await stub.read({ limit: Number.isFinite(limitParam) ? limitParam : 500, cursor: c.req.query("cursor") ?? null });
    if (!view) throw new ApiError("not_found", "No such execution in this project.");
    const { metrics: _metrics, ...rest } = view;
    return c.json({ ...rest, summary: summarizeExecution(view) });
  });
}
