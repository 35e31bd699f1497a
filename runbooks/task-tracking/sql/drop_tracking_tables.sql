SET LOCAL lock_timeout = '5s';
DROP TABLE daily_update_tracking_new;
DROP TABLE etf_creation_tracking;
DROP TABLE exchange_rate_update_tracking;
DROP FUNCTION task_tracking_status(text);
