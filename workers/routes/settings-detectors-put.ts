// PUT /v1/settings/detectors: replaces the project's overrides (a partial settings object; send {}
// to go back to the defaults). Validated before it is stored; effective without redeploy, at once
// in this isolate and within the key cache's 30 s everywhere else.
import type { App } from "../app-env.ts";
import { forgetProjectKeys } from "../auth/keys.ts";
import { requireProject } from "../auth/middleware.ts";
import { detectorSettingsPatchSchema, resolveDetectorSettings } from "../core/detector-settings.ts";
import { ApiError } from "../errors.ts";
import type { CustomRuleInput } from "../scanners/custom-rules.ts";
import { CustomRuleError, compileCustomRules } from "../scanners/custom-rules.ts";

export function registerSettingsDetectorsPut(app: App): void {
  app.put("/v1/settings/detectors", async (c) => {
    const caller = await requireProject(c, ["admin"]);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError("invalid_json", "The body must be a JSON object of detector settings.");
    }
    const parsed = detectorSettingsPatchSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length > 0 ? issue.path.join(".") : "settings";
      const what = issue.code === "unrecognized_keys" ? `unknown setting ${issue.keys.join(", ")}` : "has an invalid value";
      throw new ApiError("unprocessable", `${where}: ${what}. GET /v1/settings/detectors lists every setting and its default.`);
    }
    const customRules = (parsed.data as { data_leakage?: { custom_rules?: CustomRuleInput[] } }).data_leakage?.custom_rules;
    if (customRules) {
      try {
        compileCustomRules(customRules);
      } catch (error) {
        if (!(error instanceof CustomRuleError)) throw error;
        throw new ApiError("unprocessable", `data_leakage.custom_rules${error.ruleId ? ` (rule ${error.ruleId})` : ""}: ${error.code}: ${error.message}`);
      }
    }
    await c.env.DB.prepare("UPDATE projects SET settings = ? WHERE id = ?").bind(JSON.stringify(parsed.data), caller.projectId).run();
    forgetProjectKeys(caller.projectId);
    return c.json({ settings: resolveDetectorSettings(parsed.data), overrides: parsed.data });
  });
}
