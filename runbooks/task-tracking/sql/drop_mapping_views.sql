SET LOCAL lock_timeout = '5s';
DROP VIEW exchange_rate_updates_from_task_status;
DROP VIEW etf_creations_from_task_status;
