-- The plan, 3.1 migrate_daily_updates: COMPLETED when data was found, FAILED when not, as the
-- plan says: a day never attempted is FAILED too (NULL counts as not found). Only attempted
-- days carry an attempt and its times.
INSERT INTO daily_update_tracking_new (
  status, created_at, updated_at, started_at, completed_at, attempts,
  update_date, update_type, data_found, notes
)
SELECT
  CASE WHEN coalesce(data_found, false) THEN 'COMPLETED' ELSE 'FAILED' END,
  date::timestamp,
  date::timestamp,
  CASE WHEN coalesce(attempted, false) THEN date::timestamp END,
  CASE WHEN coalesce(attempted, false) THEN date::timestamp END,
  CASE WHEN coalesce(attempted, false) THEN 1 ELSE 0 END,
  date, update_type, data_found, notes
FROM daily_update_tracking
ON CONFLICT (update_date, update_type) DO NOTHING;
