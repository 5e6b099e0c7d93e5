// Every per-execution detector, in the order they see each event. Cross-execution classes live in
// the project object (durable-objects/project/); content scanners run at the edge (workers/scanners/).
import { contextOverflowDetector } from "./context-overflow.ts";
import { costBudgetDetector } from "./cost-velocity.ts";
import { crashDetector } from "./crash.ts";
import { groundingFailureDetector } from "./grounding-failure.ts";
import { hitlTimeoutDetector } from "./hitl-timeout.ts";
import { identicalCallLoopDetector } from "./identical-call-loop.ts";
import { infrastructureThrottledDetector } from "./infrastructure-throttled.ts";
import { semanticLoopDetector } from "./semantic-loop.ts";
import { similarCallLoopDetector } from "./similar-call-loop.ts";
import { stepCountExceededDetector } from "./step-count-exceeded.ts";
import { timeBudgetExceededDetector } from "./time-budget-exceeded.ts";
import { tokenWasteDetector } from "./token-waste.ts";
import { toolFailureDetector } from "./tool-failure.ts";
import type { ExecutionDetector } from "./types.ts";
import { validatorFailureDetector } from "./validator-failure.ts";

export const EXECUTION_DETECTORS: readonly ExecutionDetector<unknown>[] = [
  crashDetector,
  timeBudgetExceededDetector,
  stepCountExceededDetector,
  toolFailureDetector,
  validatorFailureDetector,
  groundingFailureDetector,
  hitlTimeoutDetector,
  infrastructureThrottledDetector,
  identicalCallLoopDetector,
  similarCallLoopDetector,
  tokenWasteDetector,
  contextOverflowDetector,
  semanticLoopDetector,
  costBudgetDetector,
] as unknown as readonly ExecutionDetector<unknown>[];
