// GET /v1/settings/detectors: the thresholds in force for the project, its stored overrides and the
// defaults (read key, project admin key or the admin token).
import type { App } from "../app-env.ts";
import { requireProject } from "../auth/middleware.ts";
import { DEFAULT_DETECTOR_SETTINGS } from "../core/detector-settings.ts";
import { loadStoredSettings } from "../read/project-settings.ts";

export function registerSettingsDetectorsGet(app: App): void {
  app.get("/v1/settings/detectors", async (c) => {
    const caller = await requireProject(c, ["read", "admin"]);
    const stored = await loadStoredSettings(c.env.DB, caller.projectId);
    return c.json({ settings: caller.settings, overrides: stored, defaults: DEFAULT_DETECTOR_SETTINGS });
  });
}
