-- The plan, task 1.4: the deprecated tables leave the migration schema whole (grants, indexes,
-- constraints, foreign keys, owned sequences and rows move with them), so the rollback can move
-- the same tables back. No CASCADE anywhere: a dependant nobody knew about keeps working.
SET LOCAL lock_timeout = '5s';
ALTER TABLE migration.workflow_states SET SCHEMA {{ ident vars.archive_schema }};
ALTER TABLE migration.discovery_assets SET SCHEMA {{ ident vars.archive_schema }};
ALTER TABLE migration.mapping_learning_patterns SET SCHEMA {{ ident vars.archive_schema }};
ALTER TABLE migration.data_quality_issues SET SCHEMA {{ ident vars.archive_schema }};
ALTER TABLE migration.workflow_progress SET SCHEMA {{ ident vars.archive_schema }};
ALTER TABLE migration.import_processing_steps SET SCHEMA {{ ident vars.archive_schema }};
