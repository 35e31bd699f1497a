SET LOCAL lock_timeout = '5s';
DROP TRIGGER IF EXISTS background_tasks_dual_write ON background_tasks;
DROP FUNCTION IF EXISTS background_tasks_dual_write();
