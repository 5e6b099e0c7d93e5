// GET /v1/playbooks/{failure_class}?signature=: the signature-specific playbook if one matches,
// else the class default.
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { CLASS_INFO, REMEDIATION_ROUTES, isFailureClass } from "../core/failure-classes.ts";
import { ApiError } from "../errors.ts";
import { findPlaybook } from "../playbooks/lookup.ts";

export function registerPlaybookGet(app: App): void {
  app.get("/v1/playbooks/:failure_class", async (c) => {
    await requireProject(c, ["read"]);
    const failureClass = c.req.param("failure_class");
    if (!isFailureClass(failureClass)) throw new ApiError("not_found", "No such failure class.");
    const signature = c.req.query("signature") ?? null;
    const playbook = findPlaybook(failureClass, signature);
    if (!playbook) throw new ApiError("not_found", "No playbook for this class.");
    const category = CLASS_INFO[failureClass].category;
    return c.json({
      failure_class: failureClass,
      signature,
      playbook_id: playbook.id,
      title: playbook.title,
      specific: playbook.variant !== "default",
      category,
      remediation_route: REMEDIATION_ROUTES[category],
      markdown: playbook.markdown,
    });
  });
}
