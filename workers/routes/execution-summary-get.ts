// GET /v1/executions/{id}/summary: the run summary alone (status, metrics, problems with their
// playbook fixes, key decisions, narrative), without the event page. Read from the execution's own
// object, which is named by project: another project's id is simply not found.
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

export function registerExecutionSummaryGet(app: App): void {
  app.get("/v1/executions/:id/summary", async (c) => {
    const caller = await requireProject(c, ["read", "admin"]);
    const id = c.req.param("id");
    if (id.length < 1 || id.length > 128) throw new ApiError("not_found", "No such execution in this project.");
    const stub = executionStub(c.env, caller.projectId, id) as unknown as ExecutionReader;
    // The summary needs no events (metrics are kept incrementally); one is the smallest page read allows.
    const view = await stub.read({ limit: 1 });
    if (!view) throw new ApiError("not_found", "No such execution in this project.");
    return c.json({ execution_id: view.execution.id, summary: summarizeExecution(view) });
  });
}
