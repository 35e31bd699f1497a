-- Pre-migration copies on the same server. CREATE SCHEMA without IF NOT EXISTS: an earlier
-- run's backup is never overwritten.
CREATE SCHEMA {{ ident vars.backup_schema }};
CREATE TABLE {{ ident vars.backup_schema }}.task_status AS TABLE task_status;
CREATE TABLE {{ ident vars.backup_schema }}.etf_updates AS TABLE etf_updates;
CREATE TABLE {{ ident vars.backup_schema }}.daily_update_tracking AS TABLE daily_update_tracking;
