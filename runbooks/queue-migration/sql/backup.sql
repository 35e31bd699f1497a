-- Pre-migration copies on the same server (the plan: "Backup current task data").
-- CREATE SCHEMA without IF NOT EXISTS: an existing backup of an earlier run is never overwritten.
CREATE SCHEMA {{ ident vars.backup_schema }};
CREATE TABLE {{ ident vars.backup_schema }}.background_tasks AS TABLE background_tasks;
CREATE TABLE {{ ident vars.backup_schema }}.feature_flags AS TABLE feature_flags;
