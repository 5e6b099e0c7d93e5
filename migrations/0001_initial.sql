-- Vigil D1 schema, version 1. Documented in workers/db/storage-schema.md; mirrored for queries by
-- the drizzle tables in workers/db/schema.ts.

CREATE TABLE projects (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,            -- epoch ms
  settings    TEXT NOT NULL DEFAULT '{}'   -- JSON: partial DetectorSettings, merged over defaults
);

CREATE TABLE api_keys (
  key_hash    TEXT PRIMARY KEY,            -- hex SHA-256 of the whole key; the key itself is never stored
  project_id  TEXT NOT NULL REFERENCES projects(id),
  scope       TEXT NOT NULL CHECK (scope IN ('ingest', 'read', 'admin')),
  key_prefix  TEXT NOT NULL,               -- first characters, to tell keys apart in a list
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
CREATE INDEX api_keys_by_project ON api_keys (project_id);

CREATE TABLE failure_groups (
  id                  TEXT PRIMARY KEY,    -- g_ + hex(SHA-256(project \0 class \0 signature))[0..32]
  project_id          TEXT NOT NULL REFERENCES projects(id),
  failure_class       TEXT NOT NULL,
  signature           TEXT NOT NULL,
  status              TEXT NOT NULL DEFAULT 'open',
  severity            TEXT NOT NULL,
  first_seen          INTEGER NOT NULL,    -- epoch ms of the earliest finding
  last_seen           INTEGER NOT NULL,
  occurrences         INTEGER NOT NULL DEFAULT 0,  -- detector firings
  executions          INTEGER NOT NULL DEFAULT 0,  -- distinct executions
  last_execution_id   TEXT,
  detail              TEXT                 -- JSON: the latest finding's detail (never a secret value)
);
CREATE UNIQUE INDEX failure_groups_by_key ON failure_groups (project_id, failure_class, signature);
CREATE INDEX failure_groups_by_recency ON failure_groups (project_id, last_seen DESC, id DESC);
CREATE INDEX failure_groups_by_class ON failure_groups (project_id, failure_class, last_seen DESC, id DESC);
CREATE INDEX failure_groups_by_status ON failure_groups (project_id, status, last_seen DESC, id DESC);

-- Which executions a group saw: an execution may belong to several groups.
CREATE TABLE group_executions (
  group_id      TEXT NOT NULL,
  execution_id  TEXT NOT NULL,
  project_id    TEXT NOT NULL,
  first_seen    INTEGER NOT NULL,
  last_seen     INTEGER NOT NULL,
  occurrences   INTEGER NOT NULL,
  PRIMARY KEY (group_id, execution_id)
);
CREATE INDEX group_executions_by_recency ON group_executions (group_id, last_seen DESC);
CREATE INDEX group_executions_by_execution ON group_executions (project_id, execution_id);

-- The latest known state of each execution, for lists and analytics; events stay in the
-- execution's own Durable Object.
CREATE TABLE executions (
  project_id           TEXT NOT NULL,
  execution_id         TEXT NOT NULL,
  name                 TEXT,
  tenant_id            TEXT,
  parent_execution_id  TEXT,
  status               TEXT NOT NULL,      -- running or an execution_finished status
  started_at           INTEGER NOT NULL,
  last_event_at        INTEGER NOT NULL,
  finished_at          INTEGER,
  events               INTEGER NOT NULL,
  findings             INTEGER NOT NULL,
  PRIMARY KEY (project_id, execution_id)
);
CREATE INDEX executions_by_recency ON executions (project_id, last_event_at DESC);

-- Exactly-once delivery from each execution object's outbox: a flush applies only if its last
-- outbox sequence is above the cursor, and advances the cursor in the same D1 batch.
CREATE TABLE outbox_cursors (
  source    TEXT PRIMARY KEY,               -- project_id:execution_id
  last_seq  INTEGER NOT NULL
);
