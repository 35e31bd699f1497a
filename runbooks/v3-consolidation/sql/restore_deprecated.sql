-- Rollback of dropping the deprecated tables: their definitions as before the run, filled
-- from the archive. Production equivalent: `pg_restore --table=<name>` from the task 1.2 dump.
CREATE TABLE migration.workflow_states (
  id bigserial PRIMARY KEY,
  flow_id uuid NOT NULL,
  state varchar(50) NOT NULL,
  payload jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE migration.discovery_assets (
  id bigserial PRIMARY KEY,
  flow_id uuid,
  asset_name varchar(255) NOT NULL,
  asset_type varchar(50),
  is_mock boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE migration.mapping_learning_patterns (
  id bigserial PRIMARY KEY,
  source_pattern varchar(255) NOT NULL,
  target_field varchar(255) NOT NULL,
  hits integer NOT NULL DEFAULT 0
);
CREATE TABLE migration.data_quality_issues (
  id bigserial PRIMARY KEY,
  data_import_id uuid,
  severity varchar(20) NOT NULL,
  message text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE migration.workflow_progress (
  id bigserial PRIMARY KEY,
  flow_id uuid NOT NULL,
  phase varchar(50) NOT NULL,
  percent numeric(5, 2) NOT NULL DEFAULT 0,
  updated_at timestamptz
);
CREATE TABLE migration.import_processing_steps (
  id bigserial PRIMARY KEY,
  data_import_id uuid,
  step_name varchar(100) NOT NULL,
  status varchar(20) NOT NULL,
  started_at timestamptz,
  completed_at timestamptz
);

INSERT INTO migration.workflow_states SELECT * FROM {{ ident vars.archive_schema }}.workflow_states;
INSERT INTO migration.discovery_assets SELECT * FROM {{ ident vars.archive_schema }}.discovery_assets;
INSERT INTO migration.mapping_learning_patterns SELECT * FROM {{ ident vars.archive_schema }}.mapping_learning_patterns;
INSERT INTO migration.data_quality_issues SELECT * FROM {{ ident vars.archive_schema }}.data_quality_issues;
INSERT INTO migration.workflow_progress SELECT * FROM {{ ident vars.archive_schema }}.workflow_progress;
INSERT INTO migration.import_processing_steps SELECT * FROM {{ ident vars.archive_schema }}.import_processing_steps;

SELECT setval('migration.workflow_states_id_seq', coalesce((SELECT max(id) FROM migration.workflow_states), 1));
SELECT setval('migration.discovery_assets_id_seq', coalesce((SELECT max(id) FROM migration.discovery_assets), 1));
SELECT setval('migration.mapping_learning_patterns_id_seq', coalesce((SELECT max(id) FROM migration.mapping_learning_patterns), 1));
SELECT setval('migration.data_quality_issues_id_seq', coalesce((SELECT max(id) FROM migration.data_quality_issues), 1));
SELECT setval('migration.workflow_progress_id_seq', coalesce((SELECT max(id) FROM migration.workflow_progress), 1));
SELECT setval('migration.import_processing_steps_id_seq', coalesce((SELECT max(id) FROM migration.import_processing_steps), 1));
