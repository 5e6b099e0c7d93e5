// The seam between ingest and the content scanners (workers/scanners/): every event passes here
// after validation and before anything is stored, so redaction always precedes storage.
import type { ContentFinding } from "../../durable-objects/execution/rpc-types.ts";

export interface ScannedEvent {
  event: Record<string, unknown>;
  findings: ContentFinding[];
}

export function scanContent(event: Record<string, unknown>): ScannedEvent {
  return { event, findings: [] };
}
