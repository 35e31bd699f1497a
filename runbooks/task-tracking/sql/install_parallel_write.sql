-- Parallel run (the plan, 5.1): while the legacy code still writes task_status, every write
-- is mirrored into the domain tables in the same transaction. Safe to run again.
SET LOCAL lock_timeout = '5s';
CREATE OR REPLACE FUNCTION task_status_parallel_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.task_type = 'etf_creation' THEN
    INSERT INTO etf_creation_tracking (
      legacy_task_status_id, status, created_at, updated_at, started_at, completed_at,
      error_message, attempts, resource_id, etf_id, task_metadata
    )
    SELECT v.legacy_task_status_id, v.status, v.created_at, v.updated_at, v.started_at, v.completed_at,
           v.error_message, v.attempts, v.resource_id, v.etf_id, v.task_metadata
    FROM etf_creations_from_task_status AS v
    WHERE v.legacy_task_status_id = NEW.id
    ON CONFLICT (legacy_task_status_id) DO UPDATE SET
      status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
      started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at,
      error_message = EXCLUDED.error_message, attempts = EXCLUDED.attempts,
      resource_id = EXCLUDED.resource_id, etf_id = EXCLUDED.etf_id, task_metadata = EXCLUDED.task_metadata;
  ELSIF NEW.task_type = 'exchange_rate_update' THEN
    INSERT INTO exchange_rate_update_tracking (
      update_date, base_currency, status, created_at, updated_at, started_at, completed_at,
      error_message, attempts, target_currencies, success_count, total_count, source
    )
    SELECT v.update_date, v.base_currency, v.status, v.created_at, v.updated_at, v.started_at, v.completed_at,
           v.error_message, v.attempts, v.target_currencies, v.success_count, v.total_count, v.source
    FROM exchange_rate_updates_from_task_status AS v
    WHERE v.update_date = coalesce((NEW.task_metadata ->> 'date')::date, NEW.created_at::date, NEW.updated_at::date)
    ON CONFLICT (update_date, base_currency) DO UPDATE SET
      status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
      started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at,
      error_message = EXCLUDED.error_message, attempts = EXCLUDED.attempts,
      target_currencies = EXCLUDED.target_currencies, success_count = EXCLUDED.success_count,
      total_count = EXCLUDED.total_count;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER task_status_parallel_write
  AFTER INSERT OR UPDATE ON task_status
  FOR EACH ROW EXECUTE FUNCTION task_status_parallel_write();
