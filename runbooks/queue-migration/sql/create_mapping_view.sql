-- background_tasks as the queue sees it: one mapping used by the backfill, the dual-write
-- trigger and the comparisons, so they cannot disagree.
CREATE VIEW background_tasks_as_queue AS
SELECT
  id,
  task_type AS kind,
  coalesce(payload, '{}'::jsonb) AS payload,
  task_queue_state(status) AS state,
  priority,
  attempts,
  coalesce(scheduled_at, created_at) AS run_after,
  CASE WHEN status = 'running' THEN worker_id END AS leased_by,
  CASE WHEN status = 'running' THEN heartbeat_at END AS lease_heartbeat_at,
  last_error,
  created_at,
  updated_at,
  completed_at AS finished_at
FROM background_tasks;
