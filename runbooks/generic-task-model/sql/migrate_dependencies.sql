-- The dependency graph (the plan, "convert dependencies"): one row per distinct (task, dependency) pair that resolves.
INSERT INTO task_dependencies (dependent_task_id, dependency_task_id, dependency_type)
SELECT DISTINCT s.task_id, d.dep, 'completion'
FROM subtasks AS s
CROSS JOIN LATERAL jsonb_array_elements_text(s.dependencies) AS d(dep)
WHERE s.dependencies IS NOT NULL
  AND d.dep <> s.task_id
  AND EXISTS (SELECT 1 FROM generic_tasks AS g WHERE g.task_id = d.dep)
  AND EXISTS (SELECT 1 FROM generic_tasks AS g WHERE g.task_id = s.task_id)
ON CONFLICT DO NOTHING;
