-- Run metrics on each execution's D1 row, for GET /v1/analytics/failures. The execution object
-- computes them incrementally and writes them with every outbox flush (durable-objects/shared/outbox.ts).
-- Documented in workers/db/storage-schema.md.

ALTER TABLE executions ADD COLUMN run_status TEXT;        -- running, completed, failed, stuck, cancelled (status keeps the raw one)
ALTER TABLE executions ADD COLUMN duration_ms INTEGER;    -- reported, else finished_at - started_at; elapsed so far while running
ALTER TABLE executions ADD COLUMN cost_usd REAL;          -- LLM calls' cost_usd, else tokens times the model price
ALTER TABLE executions ADD COLUMN llm_calls INTEGER;
ALTER TABLE executions ADD COLUMN tool_calls INTEGER;
ALTER TABLE executions ADD COLUMN failed_calls INTEGER;   -- failed LLM and tool calls
ALTER TABLE executions ADD COLUMN tokens INTEGER;         -- input plus output tokens

-- Rows written before this migration: the run status follows from the raw one (a stuck run shows as
-- running until its next flush).
UPDATE executions SET run_status = CASE
    WHEN status IN ('running', 'completed', 'cancelled') THEN status
    ELSE 'failed'
  END
WHERE run_status IS NULL;

-- The analytics window on failure occurrences: one range scan per project over last_seen.
CREATE INDEX group_executions_by_project_recency ON group_executions (project_id, last_seen);
