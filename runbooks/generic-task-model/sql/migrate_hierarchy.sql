-- One transaction (seed 000: "Save all tasks with transaction safety"): either the whole
-- hierarchy and its dependency graph arrive, or nothing does.

-- 1. Root tasks: every breakdown, plus one recovered root per missing breakdown that still
--    has subtasks (the orphans of the pre-migration analysis keep their parent id).
--    A root's status is derived from its subtasks, as in seed 000.
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
LEFT JOIN progress AS p ON p.parent_task_id = r.task_id;

-- 2. Child tasks: every subtask, all legacy fields kept in attributes. Dependencies that
--    name no existing subtask cannot become rows; they are kept as unresolved_dependencies.
INSERT INTO generic_tasks (
  task_id, task_type, parent_task_id, hierarchy_path, hierarchy_depth, status, attributes,
  migrated_from, created_at, updated_at, completed_at
)
SELECT
  s.task_id,
  'specialist_task',
  s.parent_task_id,
  '/root/' || s.parent_task_id || '/' || s.task_id,
  1,
  s.status,
  jsonb_build_object(
    'title', s.title,
    'description', s.description,
    'specialist_type', s.specialist_type,
    'estimated_effort', s.estimated_effort,
    'legacy_results', s.results,
    'legacy_artifacts', s.artifacts,
    'legacy_dependencies', s.dependencies,
    'file_operations_count', s.file_operations_count,
    'verification_status', s.verification_status,
    'legacy_migration', true,
    'original_subtask_id', s.task_id
  ) || CASE WHEN u.unresolved IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object('unresolved_dependencies', u.unresolved) END,
  'subtasks',
  s.created_at,
  coalesce(s.completed_at, s.created_at),
  s.completed_at
FROM subtasks AS s
LEFT JOIN LATERAL (
  SELECT jsonb_agg(DISTINCT d.dep) AS unresolved
  FROM jsonb_array_elements_text(s.dependencies) AS d(dep)
  WHERE NOT EXISTS (SELECT 1 FROM subtasks AS x WHERE x.task_id = d.dep)
) AS u ON s.dependencies IS NOT NULL;

-- 3. The dependency graph: one row per distinct (task, dependency) pair that resolves.
INSERT INTO task_dependencies (dependent_task_id, dependency_task_id, dependency_type)
SELECT DISTINCT s.task_id, d.dep, 'completion'
FROM subtasks AS s
CROSS JOIN LATERAL jsonb_array_elements_text(s.dependencies) AS d(dep)
WHERE s.dependencies IS NOT NULL
  AND d.dep <> s.task_id
  AND EXISTS (SELECT 1 FROM subtasks AS x WHERE x.task_id = d.dep);
