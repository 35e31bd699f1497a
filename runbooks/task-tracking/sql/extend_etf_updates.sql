-- The plan, 2.2: the standard fields on etf_updates. Constant and stable defaults: no table
-- rewrite (PostgreSQL 11+). PostgreSQL renames one column per statement, so the plan's
-- combined RENAME is split in two.
SET LOCAL lock_timeout = '5s';
ALTER TABLE etf_updates
    ADD COLUMN started_at TIMESTAMP,
    ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 3,
    ADD COLUMN celery_task_id VARCHAR(255),
    ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT NOW();
ALTER TABLE etf_updates RENAME COLUMN error TO error_message;
ALTER TABLE etf_updates RENAME COLUMN retry_count TO attempts;
