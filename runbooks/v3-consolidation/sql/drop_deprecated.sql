-- Seed 002, task 1.4. No CASCADE: a dependency nobody knew about stops the step instead of
-- silently dropping a view or a foreign key. Their sequences go with them (OWNED BY).
SET LOCAL lock_timeout = '5s';
DROP TABLE migration.workflow_states;
DROP TABLE migration.discovery_assets;
DROP TABLE migration.mapping_learning_patterns;
DROP TABLE migration.data_quality_issues;
DROP TABLE migration.workflow_progress;
DROP TABLE migration.import_processing_steps;
