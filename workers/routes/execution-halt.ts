// POST /v1/executions/{id}/halt {"failure_class"?, "signature"?, "actor"?, "reason"?}: a person
// halts a running execution. The agent receives the halt directive (spec 4.3) in the response to
// its next batch, naming the finding that justified it (the one given, else the most severe).
import { z } from "zod";
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { executionStub } from "../ingest/dispatch.ts";

const body = z
  .object({ failure_class: z.string().max(64).optional(), signature: z.string().max(512).optional(), actor: z.string().trim().min(1).max(200).optional(), reason: z.string().max(1000).optional() })
  .strict();

const REFUSALS = {
  not_found: ["not_found", "No such execution in this project."],
  finished: ["conflict", "The execution has already finished."],
  no_finding: ["conflict", "Vigil has no finding for this execution yet: a halt names the failure that justifies it."],
  unknown_finding: ["conflict", "The execution has no finding of that class and signature."],
} as const;

export function registerExecutionHalt(app: App): void {
  app.post("/v1/executions/:id/halt", async (c) => {
    const caller = await requireProject(c, ["admin"]);
    let input: unknown = {};
    if ((c.req.header("content-length") ?? "0") !== "0") {
      try {
        input = await c.req.json();
      } catch {
        throw new ApiError("invalid_json", "The body, if any, must be a JSON object.");
      }
    }
    const parsed = body.safeParse(input);
    if (!parsed.success) throw new ApiError("invalid_body", "Send optional failure_class, signature, actor and reason.");
    const result = await executionStub(c.env, caller.projectId, c.req.param("id")).haltByPerson({
      ...parsed.data,
      actor: parsed.data.actor ?? caller.actor,
    });
    if (!result.ok) {
      const [code, message] = REFUSALS[result.code];
      throw new ApiError(code, message);
    }
    return c.json({ directive: result.directive });
  });
}
