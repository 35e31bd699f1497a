DROP TABLE task_dependencies;
DROP TABLE generic_tasks;
