-- Rollback of dropping the V3 tables: their definitions as before the run, filled from the
-- archive. Production equivalent: `pg_restore --table=<name>` from the task 1.2 dump.
CREATE TABLE migration.v3_data_imports (
  id uuid PRIMARY KEY,
  client_account_id uuid NOT NULL,
  engagement_id uuid,
  master_flow_id uuid,
  source_filename varchar(255) NOT NULL,
  file_size_bytes bigint,
  file_type varchar(100),
  source_system varchar(100),
  status varchar(20) NOT NULL,
  import_name varchar(255),
  import_type varchar(50),
  description text,
  error_message text,
  error_details jsonb,
  progress_percentage numeric(5, 2) NOT NULL DEFAULT 0,
  total_records integer,
  processed_records integer,
  failed_records integer,
  user_id uuid,
  is_mock boolean NOT NULL DEFAULT false,
  file_hash varchar(64),
  import_config jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz
);

CREATE TABLE migration.v3_discovery_flows (
  id uuid PRIMARY KEY,
  flow_id uuid NOT NULL,
  master_flow_id uuid,
  client_account_id uuid NOT NULL,
  engagement_id uuid,
  data_import_id uuid,
  user_id uuid,
  status varchar(20) NOT NULL,
  progress_percentage numeric(5, 2) NOT NULL DEFAULT 0,
  flow_type varchar(50),
  current_phase varchar(50),
  phases_completed text[] NOT NULL DEFAULT '{}',
  flow_state jsonb NOT NULL DEFAULT '{}'::jsonb,
  error_message text,
  error_phase varchar(50),
  error_details jsonb,
  is_mock boolean NOT NULL DEFAULT false,
  assessment_package jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz
);

CREATE TABLE migration.v3_field_mappings (
  id uuid PRIMARY KEY,
  data_import_id uuid NOT NULL,
  client_account_id uuid NOT NULL,
  master_flow_id uuid,
  source_field varchar(255) NOT NULL,
  target_field varchar(255),
  mapping_type varchar(50),
  confidence_score numeric(4, 3),
  is_approved boolean NOT NULL DEFAULT false,
  is_rejected boolean NOT NULL DEFAULT false,
  ai_model_version varchar(100),
  approved_by uuid,
  approved_at timestamptz,
  transformation_logic jsonb,
  is_validated boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz
);

CREATE TABLE migration.v3_raw_import_records (
  id bigserial PRIMARY KEY,
  data_import_id uuid NOT NULL,
  row_number integer NOT NULL,
  raw_data jsonb,
  is_processed boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO migration.v3_data_imports SELECT * FROM {{ ident vars.archive_schema }}.v3_data_imports;
INSERT INTO migration.v3_discovery_flows SELECT * FROM {{ ident vars.archive_schema }}.v3_discovery_flows;
INSERT INTO migration.v3_field_mappings SELECT * FROM {{ ident vars.archive_schema }}.v3_field_mappings;
INSERT INTO migration.v3_raw_import_records SELECT * FROM {{ ident vars.archive_schema }}.v3_raw_import_records;

CREATE INDEX ix_v3_raw_import_records_data_import_id ON migration.v3_raw_import_records (data_import_id);
SELECT setval('migration.v3_raw_import_records_id_seq', coalesce((SELECT max(id) FROM migration.v3_raw_import_records), 1));
