// Every project-wide detector. Per-execution classes live in durable-objects/execution/detectors/.
import { cascadingFailureDetector } from "./cascading-failure.ts";
import { coordinationDeadlockDetector } from "./coordination-deadlock.ts";
import { costVelocityDetector } from "./cost-velocity.ts";
import { driftDetector } from "./drift.ts";
import { hitlRejectionSpikeDetector } from "./hitl-rejection-spike.ts";
import { providerIncidentDetector } from "./provider-incident.ts";
import { toolSchemaDriftDetector } from "./tool-schema-drift.ts";
import type { ProjectDetector } from "./types.ts";

export const PROJECT_DETECTORS: readonly ProjectDetector[] = [
  providerIncidentDetector,
  hitlRejectionSpikeDetector,
  costVelocityDetector,
  driftDetector,
  toolSchemaDriftDetector,
  cascadingFailureDetector,
  coordinationDeadlockDetector,
];
