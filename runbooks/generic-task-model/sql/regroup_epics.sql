-- The plan, example 2 ("migration with hierarchy optimization"): a very complex breakdown
-- becomes an epic, and each of its implementation tasks is grouped under a feature of its own
-- (epic → feature → task). Architecture, review and test tasks stay at the epic's level.
-- One statement, so an epic is regrouped whole or not at all.
WITH epics AS (
  UPDATE generic_tasks SET task_type = 'epic', updated_at = now()
  WHERE migrated_from = 'task_breakdowns' AND task_type = 'breakdown'
    AND attributes ->> 'complexity' = 'very_complex'
  RETURNING task_id, hierarchy_path
),
features AS (
  INSERT INTO generic_tasks (
    task_id, task_type, parent_task_id, hierarchy_path, hierarchy_depth, status, attributes,
    migrated_from, created_at, updated_at
  )
  SELECT 'feature_' || t.task_id, 'feature', e.task_id, e.hierarchy_path || '/feature_' || t.task_id, 1, t.status,
         jsonb_build_object('title', t.attributes ->> 'title', 'created_during_migration', true),
         'regrouped', t.created_at, t.created_at
  FROM generic_tasks AS t
  JOIN epics AS e ON e.task_id = t.parent_task_id
  WHERE t.attributes ->> 'specialist_type' = 'implementer'
  RETURNING task_id, hierarchy_path
)
UPDATE generic_tasks AS t
SET parent_task_id = f.task_id, hierarchy_path = f.hierarchy_path || '/' || t.task_id, hierarchy_depth = 2
FROM features AS f
WHERE f.task_id = 'feature_' || t.task_id;
