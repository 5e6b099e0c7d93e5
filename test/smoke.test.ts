import { describe, it } from "vitest";
import { call, createProject, eventFactory, ingest, newExecutionId } from "./helpers.ts";

describe("smoke", () => {
  it("health answers and an event is accepted", async ({ expect }) => {
    const health = await call("/health");
    expect(health.status).toBe(200);
    const project = await createProject();
    const ev = eventFactory(newExecutionId());
    const { status, body } = await ingest(project.ingest_key, [ev("execution_started", { name: "smoke" })]);
    expect(status).toBe(200);
    expect(body.accepted).toBe(1);
  });
});
