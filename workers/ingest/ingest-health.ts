// Ingest health goes to the project object once per request, off the response path.
import type { IngestOutcome } from "./dispatch.ts";
import { projectStub } from "./dispatch.ts";

export async function recordIngestHealth(env: Env, projectId: string, outcome: IngestOutcome, ignored: number): Promise<void> {
  const byCode: Record<string, number> = {};
  for (const r of outcome.rejected) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
  try {
    await projectStub(env, projectId).recordIngest(
      { accepted: outcome.accepted, rejected: outcome.rejected.length, duplicates: outcome.duplicates, ignored },
      byCode,
    );
  } catch (error) {
    console.warn(JSON.stringify({ message: "ingest health not recorded", project_id: projectId, error: String(error) }));
  }
}
