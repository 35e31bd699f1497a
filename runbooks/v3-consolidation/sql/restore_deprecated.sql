-- Rollback of retiring the deprecated tables: the same tables move back from the archive schema.
SET LOCAL lock_timeout = '5s';
ALTER TABLE {{ ident vars.archive_schema }}.workflow_states SET SCHEMA migration;
ALTER TABLE {{ ident vars.archive_schema }}.discovery_assets SET SCHEMA migration;
ALTER TABLE {{ ident vars.archive_schema }}.mapping_learning_patterns SET SCHEMA migration;
ALTER TABLE {{ ident vars.archive_schema }}.data_quality_issues SET SCHEMA migration;
ALTER TABLE {{ ident vars.archive_schema }}.workflow_progress SET SCHEMA migration;
ALTER TABLE {{ ident vars.archive_schema }}.import_processing_steps SET SCHEMA migration;
