-- Demo data for queue-migration: the legacy BackgroundTaskManager tables as a
-- production database has them after a few weeks, with the edge cases the migration must
-- handle: tasks without a payload (NULL), tasks still "running" on workers that died
-- (stale heartbeat), tasks scheduled in the future, failed tasks without an error text,
-- and ids with gaps (deleted rows). Size: the var demo_rows (default 120,000).

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
CREATE INDEX background_tasks_status_idx ON background_tasks (status);
CREATE INDEX background_tasks_created_at_idx ON background_tasks (created_at);

CREATE TABLE feature_flags (
  name text PRIMARY KEY,
  enabled boolean NOT NULL DEFAULT false,
  description text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO feature_flags (name, enabled, description, updated_at) VALUES
  ('tasks.read_from_queue', false, 'Workers and the API read tasks from task_queue instead of background_tasks', now() - interval '30 days'),
  ('tasks.legacy_scheduler', true, 'The BackgroundTaskManager scheduler accepts new tasks', now() - interval '400 days'),
  ('billing.new_invoices', true, NULL, now() - interval '12 days');

-- g is the row number; ids skip 3 values after every 1000 rows (deleted tasks).
INSERT INTO background_tasks (
  id, task_type, payload, status, priority, attempts, worker_id, last_error,
  scheduled_at, heartbeat_at, created_at, updated_at, completed_at
)
SELECT
  g + (g / 1000) * 3,
  (ARRAY['email.send', 'report.render', 'invoice.generate', 'webhook.deliver', 'thumbnail.create', 'search.reindex'])[1 + g % 6],
  CASE WHEN g % 97 = 0 THEN NULL
       ELSE jsonb_build_object('account_id', 1 + g % 5000, 'request_id', md5(g::text), 'locale', (ARRAY['en', 'de', 'fr', 'ja'])[1 + g % 4])
  END,
  s.status,
  (g % 3)::smallint,
  CASE s.status WHEN 'failed' THEN 3 WHEN 'pending' THEN 0 ELSE 1 + g % 2 END,
  CASE WHEN s.status IN ('running', 'completed', 'failed') THEN 'worker-' || (g % 16) END,
  CASE WHEN s.status = 'failed' AND g % 4 <> 0 THEN (ARRAY['timeout after 30s', 'SMTP 451 try again later', 'connection reset by peer'])[1 + g % 3] END,
  CASE WHEN s.status = 'pending' AND g % 5 = 0 THEN now() + (g % 3600) * interval '1 second' END,
  CASE WHEN s.status = 'running' THEN now() - CASE WHEN g % 3 = 0 THEN interval '45 seconds' ELSE interval '25 minutes' END END,
  c.created_at,
  CASE WHEN s.status IN ('completed', 'failed', 'cancelled') THEN c.created_at + (1 + g % 300) * interval '1 second' ELSE c.created_at END,
  CASE WHEN s.status IN ('completed', 'failed') THEN c.created_at + (1 + g % 300) * interval '1 second' END
FROM (SELECT CAST(:demo_rows AS integer) AS n) AS p
CROSS JOIN LATERAL generate_series(1, p.n) AS g
CROSS JOIN LATERAL (
  SELECT CASE
    WHEN g > p.n - p.n / 50 THEN CASE WHEN g % 7 = 0 THEN 'running' ELSE 'pending' END
    WHEN g % 1000 < 30 THEN 'failed'
    WHEN g % 1000 < 40 THEN 'cancelled'
    ELSE 'completed'
  END AS status
) AS s
CROSS JOIN LATERAL (
  SELECT now() - interval '10 minutes' - (p.n - g) * interval '20 seconds' AS created_at
) AS c;

SELECT setval('background_tasks_id_seq', (SELECT max(id) FROM background_tasks));
