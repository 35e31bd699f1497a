SET LOCAL lock_timeout = '5s';
DROP TRIGGER subtasks_read_only ON subtasks;
DROP TRIGGER task_breakdowns_read_only ON task_breakdowns;
DROP FUNCTION reject_legacy_task_write();
