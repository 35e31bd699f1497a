-- Rollback of the regrouping: tasks move back under their epic, the features go, epics are
-- breakdowns again.
UPDATE generic_tasks AS t
SET parent_task_id = f.parent_task_id, hierarchy_path = '/root/' || f.parent_task_id || '/' || t.task_id, hierarchy_depth = 1
FROM generic_tasks AS f
WHERE f.task_id = t.parent_task_id AND f.migrated_from = 'regrouped';

DELETE FROM generic_tasks WHERE migrated_from = 'regrouped';

UPDATE generic_tasks SET task_type = 'breakdown', updated_at = created_at
WHERE task_type = 'epic' AND migrated_from = 'task_breakdowns';
