SET LOCAL lock_timeout = '5s';
ALTER TABLE etf_updates RENAME COLUMN attempts TO retry_count;
ALTER TABLE etf_updates RENAME COLUMN error_message TO error;
ALTER TABLE etf_updates
    DROP COLUMN updated_at,
    DROP COLUMN celery_task_id,
    DROP COLUMN max_attempts,
    DROP COLUMN started_at;
