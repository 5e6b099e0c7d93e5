// Drizzle mirror of migrations/*.sql, used for typed reads. The SQL migrations are the source of
// truth; storage-schema.md beside this file documents every table.
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const projects = sqliteTable("projects", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
  settings: text("settings").notNull().default("{}"),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    keyHash: text("key_hash").primaryKey(),
    projectId: text("project_id").notNull(),
    scope: text("scope", { enum: ["ingest", "read", "admin"] }).notNull(),
    keyPrefix: text("key_prefix").notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_by_project").on(t.projectId)],
);

export const failureGroups = sqliteTable(
  "failure_groups",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    failureClass: text("failure_class").notNull(),
    signature: text("signature").notNull(),
    status: text("status").notNull().default("open"),
    severity: text("severity").notNull(),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    occurrences: integer("occurrences").notNull().default(0),
    executions: integer("executions").notNull().default(0),
    lastExecutionId: text("last_execution_id"),
    detail: text("detail"),
  },
  (t) => [uniqueIndex("failure_groups_by_key").on(t.projectId, t.failureClass, t.signature)],
);

export const groupExecutions = sqliteTable(
  "group_executions",
  {
    groupId: text("group_id").notNull(),
    executionId: text("execution_id").notNull(),
    projectId: text("project_id").notNull(),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    occurrences: integer("occurrences").notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.executionId] })],
);

export const executions = sqliteTable(
  "executions",
  {
    projectId: text("project_id").notNull(),
    executionId: text("execution_id").notNull(),
    name: text("name"),
    tenantId: text("tenant_id"),
    parentExecutionId: text("parent_execution_id"),
    status: text("status").notNull(),
    startedAt: integer("started_at").notNull(),
    lastEventAt: integer("last_event_at").notNull(),
    finishedAt: integer("finished_at"),
    events: integer("events").notNull(),
    findings: integer("findings").notNull(),
    // 0003: run metrics, written with every outbox flush.
    runStatus: text("run_status"),
    durationMs: integer("duration_ms"),
    costUsd: real("cost_usd"),
    llmCalls: integer("llm_calls"),
    toolCalls: integer("tool_calls"),
    failedCalls: integer("failed_calls"),
    tokens: integer("tokens"),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.executionId] })],
);

export const outboxCursors = sqliteTable("outbox_cursors", {
  source: text("source").primaryKey(),
  lastSeq: integer("last_seq").notNull(),
});
