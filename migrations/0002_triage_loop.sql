-- The triage loop: group lifecycle with an audit trail, releases and fix loops (loop latency),
-- webhooks and digests. Documented in workers/db/storage-schema.md.

-- Lifecycle. status: open, acknowledged, fix_in_progress, resolved, regressed, archived.
ALTER TABLE failure_groups ADD COLUMN observed_at INTEGER;          -- start of the current fix loop: first seen, or the regression
ALTER TABLE failure_groups ADD COLUMN status_changed_at INTEGER;
ALTER TABLE failure_groups ADD COLUMN resolved_at INTEGER;
ALTER TABLE failure_groups ADD COLUMN resolved_in_release TEXT;
ALTER TABLE failure_groups ADD COLUMN fix_shipped_at INTEGER;       -- when the fix reached production
ALTER TABLE failure_groups ADD COLUMN regressed_at INTEGER;
ALTER TABLE failure_groups ADD COLUMN archive_mode TEXT;            -- until_escalation or forever
ALTER TABLE failure_groups ADD COLUMN archived_occurrences INTEGER; -- occurrences when archived, to judge escalation
ALTER TABLE failure_groups ADD COLUMN archived_severity TEXT;
ALTER TABLE failure_groups ADD COLUMN category_override TEXT;       -- a person's reclassification
ALTER TABLE failure_groups ADD COLUMN category_override_by TEXT;
ALTER TABLE failure_groups ADD COLUMN category_override_at INTEGER;
UPDATE failure_groups SET observed_at = first_seen WHERE observed_at IS NULL;

CREATE TABLE group_events (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id     TEXT NOT NULL,
  project_id   TEXT NOT NULL,
  ts           INTEGER NOT NULL,
  actor        TEXT NOT NULL,                -- who: a person's name, a key prefix, or "vigil"
  action       TEXT NOT NULL,                -- transition, reclassified, fix_shipped, regressed, escalated
  from_status  TEXT,
  to_status    TEXT,
  detail       TEXT                          -- JSON: release, note, category
);
CREATE INDEX group_events_by_group ON group_events (group_id, ts DESC);

CREATE TABLE releases (
  project_id   TEXT NOT NULL,
  version      TEXT NOT NULL,
  shipped_at   INTEGER NOT NULL,
  environment  TEXT,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (project_id, version)
);
CREATE INDEX releases_by_time ON releases (project_id, shipped_at DESC);

-- One row per completed fix loop: failure observed -> fix shipped.
CREATE TABLE fix_loops (
  group_id       TEXT NOT NULL,
  project_id     TEXT NOT NULL,
  failure_class  TEXT NOT NULL,
  category       TEXT NOT NULL,
  observed_at    INTEGER NOT NULL,
  shipped_at     INTEGER NOT NULL,
  release        TEXT,
  PRIMARY KEY (group_id, observed_at)
);
CREATE INDEX fix_loops_by_time ON fix_loops (project_id, shipped_at);

CREATE TABLE webhooks (
  id            TEXT PRIMARY KEY,
  project_id    TEXT NOT NULL,
  url           TEXT NOT NULL,
  secret        TEXT NOT NULL,               -- signs deliveries (HMAC-SHA256); shown once at creation
  format        TEXT NOT NULL CHECK (format IN ('json', 'slack')),
  events        TEXT NOT NULL,               -- JSON array: group.new, group.regressed, group.escalated, digest
  classes       TEXT,                        -- JSON array of failure classes, NULL for all
  min_severity  TEXT NOT NULL DEFAULT 'low',
  created_at    INTEGER NOT NULL,
  deleted_at    INTEGER
);
CREATE INDEX webhooks_by_project ON webhooks (project_id);

CREATE TABLE digests (
  project_id    TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),
  period_start  INTEGER NOT NULL,
  period_end    INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  body          TEXT NOT NULL,               -- JSON digest
  PRIMARY KEY (project_id, kind, period_start)
);

-- Where the digest cron stopped when its per-run budget ran out.
CREATE TABLE cron_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
