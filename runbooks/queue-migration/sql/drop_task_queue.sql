SET LOCAL lock_timeout = '5s';
DROP TABLE queue_read_rollout;
DROP TABLE task_queue;
DROP FUNCTION task_queue_state(text);
