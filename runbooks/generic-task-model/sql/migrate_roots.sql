-- The roots of the hierarchy, in one statement before the subtasks are copied in batches:
-- every subtask's parent must exist when its batch commits.
-- Root tasks (the plan, example 1, step 1): every breakdown, plus one recovered root per missing breakdown that still
--    has subtasks (the orphans of the pre-migration analysis keep their parent id).
--    A root's status is derived from its subtasks, as in the plan.
WITH roots AS (
  SELECT b.parent_task_id AS task_id, b.description, b.complexity, b.context, b.created_at,
         'task_breakdowns' AS migrated_from
  FROM task_breakdowns AS b
  UNION ALL
  SELECT s.parent_task_id, NULL, NULL, NULL, min(s.created_at), 'recovered'
  FROM subtasks AS s
  WHERE NOT EXISTS (SELECT 1 FROM task_breakdowns AS b WHERE b.parent_task_id = s.parent_task_id)
  GROUP BY s.parent_task_id
),
progress AS (
  SELECT parent_task_id,
         bool_and(status = 'completed') AS all_completed,
         bool_or(status = 'active') AS any_active,
         bool_or(status = 'failed') AS any_failed
  FROM subtasks
  GROUP BY parent_task_id
)
INSERT INTO generic_tasks (
  task_id, task_type, parent_task_id, hierarchy_path, hierarchy_depth, status, attributes,
  migrated_from, created_at, updated_at
)
SELECT
  r.task_id,
  'breakdown',
  NULL,
  '/root/' || r.task_id,
  0,
  CASE
    WHEN p.parent_task_id IS NULL THEN 'pending'
    WHEN p.all_completed THEN 'completed'
    WHEN p.any_active THEN 'active'
    WHEN p.any_failed THEN 'failed'
    ELSE 'pending'
  END,
  CASE r.migrated_from
    WHEN 'recovered' THEN jsonb_build_object(
      'description', 'Recovered during migration: the TaskBreakdown row was missing',
      'legacy_migration', true, 'original_type', 'TaskBreakdown', 'recovered', true)
    ELSE jsonb_build_object(
      'description', r.description, 'complexity', r.complexity, 'context', r.context,
      'legacy_migration', true, 'original_type', 'TaskBreakdown')
  END,
  r.migrated_from,
  r.created_at,
  r.created_at
FROM roots AS r
LEFT JOIN progress AS p ON p.parent_task_id = r.task_id
ON CONFLICT (task_id) DO NOTHING;
