import type { FailureClass } from "./failure-classes.ts";

/** Classes that mean the run is going round in circles: a running execution with one is "stuck". */
export const LOOP_CLASSES: ReadonlySet<FailureClass> = new Set(["identical_call_loop", "similar_call_loop", "semantic_loop", "token_waste"]);
