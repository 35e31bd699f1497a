SET LOCAL lock_timeout = '5s';
DROP TRIGGER IF EXISTS task_status_parallel_write ON task_status;
DROP FUNCTION IF EXISTS task_status_parallel_write();
