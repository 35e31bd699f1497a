-- Pre-migration copies on the same server (the plan: "Verify backup status").
-- CREATE SCHEMA without IF NOT EXISTS: an earlier run's backup is never overwritten.
CREATE SCHEMA {{ ident vars.backup_schema }};
CREATE TABLE {{ ident vars.backup_schema }}.task_breakdowns AS TABLE task_breakdowns;
CREATE TABLE {{ ident vars.backup_schema }}.subtasks AS TABLE subtasks;
CREATE TABLE {{ ident vars.backup_schema }}.orchestrator_settings AS TABLE orchestrator_settings;
