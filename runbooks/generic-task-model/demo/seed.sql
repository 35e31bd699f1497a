-- Demo data for generic-task-model: the legacy dual model of the plan (TaskBreakdown +
-- SubTask) with the edge cases its pre-migration analysis looks for:
-- - orphaned subtasks: every 500th breakdown row was deleted, its subtasks remain;
-- - dependencies: NULL, empty arrays, duplicated ids, and ids of subtasks that no longer exist;
-- - breakdowns without a complexity (NULL), subtasks without description or results.
-- Size: demo_rows subtasks (default 120,000), five per breakdown.

CREATE TABLE task_breakdowns (
  parent_task_id text PRIMARY KEY,
  description text NOT NULL,
  complexity text,
  context text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- No foreign key to task_breakdowns in the legacy schema: that is how orphans came about.
CREATE TABLE subtasks (
  task_id text PRIMARY KEY,
  parent_task_id text NOT NULL,
  title text NOT NULL,
  description text,
  specialist_type text NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  dependencies jsonb,
  estimated_effort text,
  results text,
  artifacts jsonb,
  file_operations_count integer NOT NULL DEFAULT 0,
  verification_status text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX subtasks_parent_task_id_idx ON subtasks (parent_task_id);

CREATE TABLE orchestrator_settings (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO orchestrator_settings (key, value, updated_at) VALUES
  ('task_model', 'legacy', now() - interval '200 days'),
  ('generic_task_api', 'disabled', now() - interval '200 days'),
  ('max_parallel_specialists', '4', now() - interval '31 days');

INSERT INTO task_breakdowns (parent_task_id, description, complexity, context, created_at)
SELECT
  'task_' || b,
  (ARRAY['Implement user authentication system', 'Build the reporting dashboard', 'Migrate billing to the new provider', 'Add full-text search', 'Harden the public API'])[1 + b % 5] || ' #' || b,
  CASE WHEN b % 37 = 0 THEN NULL ELSE (ARRAY['simple', 'moderate', 'complex', 'very_complex'])[1 + b % 4] END,
  CASE WHEN b % 3 = 0 THEN NULL ELSE 'Context for breakdown ' || b END,
  now() - (p.n - b) * interval '7 minutes'
FROM (SELECT CAST(:demo_rows AS integer) / 5 AS n) AS p
CROSS JOIN LATERAL generate_series(1, p.n) AS b
WHERE b % 500 <> 0;

-- Subtask k (1..5) of breakdown b: architect, two implementers, a reviewer, a tester.
-- Dependencies form a small DAG per breakdown: 2 and 3 need 1, 4 needs 2 and 3, 5 needs 4.
INSERT INTO subtasks (
  task_id, parent_task_id, title, description, specialist_type, status, dependencies,
  estimated_effort, results, artifacts, file_operations_count, verification_status, created_at, completed_at
)
SELECT
  t.specialist || '_' || b || '_' || k,
  'task_' || b,
  initcap(t.specialist) || ' work ' || k || ' for task ' || b,
  CASE WHEN (b + k) % 11 = 0 THEN NULL ELSE 'Step ' || k || ' of breakdown ' || b END,
  t.specialist,
  s.status,
  CASE k
    WHEN 1 THEN CASE WHEN b % 3 = 0 THEN NULL ELSE '[]'::jsonb END
    WHEN 2 THEN jsonb_build_array('architect_' || b || '_1')
    WHEN 3 THEN jsonb_build_array('architect_' || b || '_1')
    WHEN 4 THEN CASE WHEN b % 50 = 0
                     THEN jsonb_build_array('implementer_' || b || '_2', 'implementer_' || b || '_2', 'implementer_' || b || '_3')
                     ELSE jsonb_build_array('implementer_' || b || '_2', 'implementer_' || b || '_3') END
    ELSE CASE WHEN b % 200 = 0
              THEN jsonb_build_array('reviewer_' || b || '_4', 'deleted_task_' || b)
              ELSE jsonb_build_array('reviewer_' || b || '_4') END
  END,
  (ARRAY['1 hour', '4 hours', '1 day', NULL])[1 + (b + k) % 4],
  CASE WHEN s.status = 'completed' AND b % 4 <> 0 THEN 'Done: step ' || k || ' of ' || b END,
  CASE WHEN s.status = 'completed' THEN jsonb_build_array('notes_' || b || '_' || k || '.md') END,
  CASE WHEN s.status = 'completed' THEN (b * k) % 20 ELSE 0 END,
  CASE WHEN s.status = 'completed' THEN 'verified' END,
  now() - (p.n - b) * interval '7 minutes' + k * interval '1 minute',
  CASE WHEN s.status = 'completed' THEN now() - (p.n - b) * interval '7 minutes' + (k + 30) * interval '1 minute' END
FROM (SELECT CAST(:demo_rows AS integer) / 5 AS n) AS p
CROSS JOIN LATERAL generate_series(1, p.n) AS b
CROSS JOIN generate_series(1, 5) AS k
CROSS JOIN LATERAL (
  SELECT (ARRAY['architect', 'implementer', 'implementer', 'reviewer', 'tester'])[k] AS specialist
) AS t
CROSS JOIN LATERAL (
  SELECT CASE
    WHEN b < p.n * 9 / 10 THEN CASE WHEN (b + k) % 41 = 0 THEN 'failed' ELSE 'completed' END
    WHEN k = 1 THEN 'completed'
    WHEN k = 2 THEN 'active'
    ELSE 'pending'
  END AS status
) AS s;
