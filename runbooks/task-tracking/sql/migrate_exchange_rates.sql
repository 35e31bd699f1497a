-- The plan, 3.1 migrate_exchange_rate_tasks, in SQL: one row per day, attempts counted.
INSERT INTO exchange_rate_update_tracking (
  update_date, base_currency, status, created_at, updated_at, started_at, completed_at,
  error_message, attempts, target_currencies, success_count, total_count, source
)
SELECT update_date, base_currency, status, created_at, updated_at, started_at, completed_at,
       error_message, attempts, target_currencies, success_count, total_count, source
FROM exchange_rate_updates_from_task_status
ON CONFLICT (update_date, base_currency) DO NOTHING;
