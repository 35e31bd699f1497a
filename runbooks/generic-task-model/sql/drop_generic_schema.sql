SET LOCAL lock_timeout = '5s';
DROP TABLE task_dependencies;
DROP TABLE generic_tasks;
