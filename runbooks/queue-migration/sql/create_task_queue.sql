-- The new queue table (the plan, "Deploy new queue system (inactive)"). It keeps the legacy
-- ids so both systems name a task the same way while they run side by side.
CREATE TABLE task_queue (
  id bigint PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  state text NOT NULL,
  priority smallint NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5,
  run_after timestamptz NOT NULL,
  leased_by text,
  lease_heartbeat_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  finished_at timestamptz,
  -- which path wrote the row: the backfill, the dual-write trigger, or the cutover sweep
  origin text NOT NULL,
  -- set when the cutover put back a task whose legacy worker had died
  requeued_at timestamptz,
  CONSTRAINT task_queue_state_check CHECK (state IN ('queued', 'leased', 'done', 'failed', 'cancelled')),
  CONSTRAINT task_queue_origin_check CHECK (origin IN ('backfill', 'dual-write', 'cutover'))
);

-- The dequeue index; the table is new and empty, so no CONCURRENTLY is needed.
CREATE INDEX task_queue_ready_idx ON task_queue (priority DESC, run_after) WHERE state = 'queued';

-- Legacy status names to queue states, shared by the trigger, the backfill and the checks.
CREATE FUNCTION task_queue_state(legacy_status text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE legacy_status
    WHEN 'pending' THEN 'queued'
    WHEN 'running' THEN 'leased'
    WHEN 'completed' THEN 'done'
    ELSE legacy_status
  END
$$;

-- Reads move to the queue in stages (the plan, "gradual cutover"): the application's task
-- reader takes `percent` % of its reads from task_queue and, while `fallback_to_legacy` is on,
-- falls back to background_tasks for a task the queue does not have.
CREATE TABLE queue_read_rollout (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  percent smallint NOT NULL CHECK (percent BETWEEN 0 AND 100),
  fallback_to_legacy boolean NOT NULL,
  updated_at timestamptz NOT NULL
);
INSERT INTO queue_read_rollout (percent, fallback_to_legacy, updated_at) VALUES (0, true, now());
