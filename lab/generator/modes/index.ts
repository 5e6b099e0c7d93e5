// Every failure mode the lab injects, one per failure class (spec section 5).
import { CONTENT_MODES } from "./content.ts";
import { EXECUTION_MODES } from "./execution.ts";
import { PROJECT_MODES } from "./project.ts";
import type { ModeSpec } from "./types.ts";

export const MODES: readonly ModeSpec[] = [...EXECUTION_MODES, ...CONTENT_MODES, ...PROJECT_MODES];
export const MODE_BY_NAME: ReadonlyMap<string, ModeSpec> = new Map(MODES.map((m) => [m.mode, m]));
export type { ModeSpec } from "./types.ts";
