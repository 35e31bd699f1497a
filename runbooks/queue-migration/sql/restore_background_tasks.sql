-- Rollback of dropping the legacy table: the same definition as before the run, filled
-- from archived_background_tasks. In production, `pg_restore --table=background_tasks` from
-- the preparation backup does the same.
CREATE TABLE background_tasks (
  id bigserial PRIMARY KEY,
  task_type text NOT NULL,
  payload jsonb,
  status text NOT NULL DEFAULT 'pending',
  priority smallint NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  worker_id text,
  last_error text,
  scheduled_at timestamptz,
  heartbeat_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  CONSTRAINT background_tasks_status_check
    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled'))
);

INSERT INTO background_tasks SELECT * FROM archived_background_tasks;

CREATE INDEX background_tasks_status_idx ON background_tasks (status);
CREATE INDEX background_tasks_created_at_idx ON background_tasks (created_at);

SELECT setval('background_tasks_id_seq', (SELECT max(id) FROM background_tasks));
