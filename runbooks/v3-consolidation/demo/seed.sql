-- Demo data for v3-consolidation: the `migration` schema of the plan before the
-- consolidation. The consolidated tables already hold data, the V3 tables hold more, and six
-- deprecated tables are still around. Edge cases:
-- - V3 rows an earlier, interrupted attempt already copied (same id in both tables);
-- - V3 field mappings flagged both approved and rejected, and mappings whose import exists
--   nowhere (they cannot satisfy the foreign key and stay in the archive);
-- - NULL file types and sizes, imports without a user, flows without an import.
-- Size: demo_rows raw import records (default 120,000); the other tables scale with it.

CREATE SCHEMA migration;

CREATE TABLE migration.client_accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name varchar(255) NOT NULL,
  slug varchar(100) NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  is_active boolean NOT NULL DEFAULT true
);

-- Consolidated tables the V3 data does not touch, but the schema validation requires.
CREATE TABLE migration.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email varchar(255) NOT NULL UNIQUE,
  client_account_id uuid REFERENCES migration.client_accounts (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE migration.engagements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
  name varchar(255) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_engagements_client_account_id ON migration.engagements (client_account_id);
CREATE TABLE migration.crewai_flow_state_extensions (
  flow_id uuid PRIMARY KEY,
  client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
  flow_type varchar(50) NOT NULL,
  flow_persistence_data jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE migration.assets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
  engagement_id uuid REFERENCES migration.engagements (id),
  master_flow_id uuid REFERENCES migration.crewai_flow_state_extensions (flow_id),
  name varchar(255) NOT NULL,
  asset_type varchar(50),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_assets_client_account_id ON migration.assets (client_account_id);
CREATE INDEX ix_assets_master_flow_id ON migration.assets (master_flow_id);

CREATE TABLE migration.data_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
  engagement_id uuid,
  filename varchar(255) NOT NULL,
  file_size bigint,
  mime_type varchar(100),
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
  imported_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz
);
CREATE INDEX ix_data_imports_client_account_id ON migration.data_imports (client_account_id);

CREATE TABLE migration.discovery_flows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  flow_id uuid NOT NULL UNIQUE,
  client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
  engagement_id uuid,
  data_import_id uuid REFERENCES migration.data_imports (id),
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
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz
);

CREATE TABLE migration.import_field_mappings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  data_import_id uuid NOT NULL REFERENCES migration.data_imports (id),
  client_account_id uuid NOT NULL,
  source_field varchar(255) NOT NULL,
  target_field varchar(255),
  match_type varchar(50),
  confidence_score numeric(4, 3),
  status varchar(20) NOT NULL DEFAULT 'suggested',
  suggested_by varchar(100),
  approved_by uuid,
  approved_at timestamptz,
  transformation_rules jsonb,
  is_validated boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz,
  CONSTRAINT import_field_mappings_status_check CHECK (status IN ('suggested', 'approved', 'rejected'))
);
CREATE INDEX ix_import_field_mappings_data_import_id ON migration.import_field_mappings (data_import_id);

-- V3 tables: the same entities under their old field names, plus fields being removed.
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
CREATE INDEX ix_v3_raw_import_records_data_import_id ON migration.v3_raw_import_records (data_import_id);

-- Deprecated tables (the plan, task 1.4), dropped after they are archived.
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

-- Sizes: r raw records; i = r / 60 V3 imports; the consolidated table already has i imports.
INSERT INTO migration.client_accounts (id, name, slug, created_at)
SELECT md5('client-' || c)::uuid, 'Client ' || c, 'client-' || c, now() - interval '900 days' + c * interval '1 day'
FROM generate_series(1, 20) AS c;

INSERT INTO migration.users (id, email, client_account_id, created_at)
SELECT md5('user-' || u)::uuid, 'user' || u || '@example.com', md5('client-' || (1 + u % 20))::uuid, now() - interval '800 days'
FROM generate_series(0, 29) AS u;
INSERT INTO migration.engagements (id, client_account_id, name, created_at)
SELECT md5('engagement-' || e)::uuid, md5('client-' || (1 + e % 20))::uuid, 'Engagement ' || e, now() - interval '700 days'
FROM generate_series(0, 39) AS e;
INSERT INTO migration.crewai_flow_state_extensions (flow_id, client_account_id, flow_type, created_at)
SELECT md5('master-flow-' || f)::uuid, md5('client-' || (1 + f % 20))::uuid, 'discovery', now() - interval '600 days'
FROM generate_series(1, 10) AS f;
INSERT INTO migration.assets (id, client_account_id, engagement_id, master_flow_id, name, asset_type, created_at)
SELECT md5('asset-' || a)::uuid, md5('client-' || (1 + a % 20))::uuid, md5('engagement-' || (a % 40))::uuid,
       CASE WHEN a % 4 = 0 THEN NULL ELSE md5('master-flow-' || (1 + a % 10))::uuid END,
       'server-' || a, (ARRAY['server', 'database', 'application'])[1 + a % 3], now() - interval '500 days'
FROM generate_series(1, 200) AS a;

-- Imports 1..i exist only in the consolidated table; imports i+1..2i are V3, and the first
-- 15 % of those were already copied by an earlier attempt.
INSERT INTO migration.data_imports (
  id, client_account_id, engagement_id, filename, file_size, mime_type, source_system, status,
  import_name, import_type, description, error_message, error_details, progress_percentage,
  total_records, processed_records, failed_records, imported_by, created_at, updated_at,
  started_at, completed_at
)
SELECT md5('import-' || g)::uuid, md5('client-' || (1 + g % 20))::uuid, md5('engagement-' || (g % 40))::uuid,
       'servers_' || g || '.csv', 1024 * (g % 900 + 10), 'text/csv', 'cmdb', 'completed',
       'Import ' || g, 'cmdb', NULL, NULL, NULL, 100, 60, 60, 0,
       CASE WHEN g % 9 = 0 THEN NULL ELSE md5('user-' || (g % 30))::uuid END,
       now() - (3 * p.i - g) * interval '1 hour', now() - (3 * p.i - g) * interval '1 hour',
       now() - (3 * p.i - g) * interval '1 hour', now() - (3 * p.i - g) * interval '1 hour' + interval '2 minutes'
FROM (SELECT greatest(CAST(:demo_rows AS integer) / 60, 20) AS i) AS p
CROSS JOIN LATERAL generate_series(1, p.i) AS g;

INSERT INTO migration.v3_data_imports (
  id, client_account_id, engagement_id, master_flow_id, source_filename, file_size_bytes, file_type,
  source_system, status, import_name, import_type, description, error_message, error_details,
  progress_percentage, total_records, processed_records, failed_records, user_id, is_mock, file_hash,
  import_config, created_at, updated_at, started_at, completed_at
)
SELECT md5('import-' || g)::uuid, md5('client-' || (1 + g % 20))::uuid, md5('engagement-' || (g % 40))::uuid,
       md5('master-' || g)::uuid, 'inventory_' || g || '.xlsx',
       CASE WHEN g % 13 = 0 THEN NULL ELSE 2048 * (g % 700 + 5) END,
       CASE WHEN g % 13 = 0 THEN NULL ELSE 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' END,
       (ARRAY['cmdb', 'servicenow', 'manual'])[1 + g % 3],
       CASE WHEN g % 25 = 0 THEN 'failed' ELSE 'completed' END,
       'V3 import ' || g, 'inventory', CASE WHEN g % 2 = 0 THEN 'Quarterly inventory' END,
       CASE WHEN g % 25 = 0 THEN 'Row 17: unparseable date' END,
       CASE WHEN g % 25 = 0 THEN jsonb_build_object('row', 17, 'column', 'purchase_date') END,
       CASE WHEN g % 25 = 0 THEN 40 ELSE 100 END, 60, CASE WHEN g % 25 = 0 THEN 24 ELSE 60 END,
       CASE WHEN g % 25 = 0 THEN 1 ELSE 0 END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE md5('user-' || (g % 30))::uuid END,
       g % 17 = 0, md5('file-' || g), CASE WHEN g % 3 = 0 THEN '{"delimiter": ";"}'::jsonb END,
       now() - (3 * p.i - g) * interval '1 hour', now() - (3 * p.i - g) * interval '1 hour' + interval '5 minutes',
       now() - (3 * p.i - g) * interval '1 hour', now() - (3 * p.i - g) * interval '1 hour' + interval '4 minutes'
FROM (SELECT greatest(CAST(:demo_rows AS integer) / 60, 20) AS i) AS p
CROSS JOIN LATERAL generate_series(p.i + 1, 2 * p.i) AS g;

INSERT INTO migration.data_imports (
  id, client_account_id, engagement_id, filename, file_size, mime_type, source_system, status,
  import_name, import_type, description, error_message, error_details, progress_percentage,
  total_records, processed_records, failed_records, imported_by, created_at, updated_at,
  started_at, completed_at
)
SELECT id, client_account_id, engagement_id, source_filename, file_size_bytes, file_type, source_system, status,
       import_name, import_type, description, error_message, error_details, progress_percentage,
       total_records, processed_records, failed_records, user_id, created_at, updated_at, started_at, completed_at
FROM migration.v3_data_imports
WHERE abs(hashtext(id::text)) % 100 < 15;

-- One V3 discovery flow per V3 import (every 7th without an import), a few already copied.
INSERT INTO migration.v3_discovery_flows (
  id, flow_id, master_flow_id, client_account_id, engagement_id, data_import_id, user_id, status,
  progress_percentage, flow_type, current_phase, phases_completed, flow_state, error_message,
  error_phase, error_details, is_mock, assessment_package, created_at, updated_at, started_at, completed_at
)
SELECT md5('flow-' || d.id)::uuid, md5('flow-id-' || d.id)::uuid, d.master_flow_id, d.client_account_id,
       d.engagement_id, CASE WHEN n % 7 = 0 THEN NULL ELSE d.id END, d.user_id,
       CASE WHEN n % 10 = 0 THEN 'in_progress' ELSE 'completed' END,
       CASE WHEN n % 10 = 0 THEN 50 ELSE 100 END, 'discovery',
       CASE WHEN n % 10 = 0 THEN 'attribute_mapping' ELSE 'inventory' END,
       CASE WHEN n % 10 = 0 THEN ARRAY['data_import'] ELSE ARRAY['data_import', 'attribute_mapping', 'data_cleansing', 'inventory'] END,
       jsonb_build_object('version', 3, 'assets_found', n % 120),
       NULL, NULL, NULL, n % 17 = 0, CASE WHEN n % 5 = 0 THEN '{"package": "standard"}'::jsonb END,
       d.created_at, d.updated_at, d.started_at, CASE WHEN n % 10 = 0 THEN NULL ELSE d.completed_at END
FROM (SELECT v.*, row_number() OVER (ORDER BY v.created_at) AS n FROM migration.v3_data_imports AS v) AS d;

INSERT INTO migration.discovery_flows (
  id, flow_id, client_account_id, engagement_id, data_import_id, user_id, status, progress_percentage,
  flow_type, current_phase, phases_completed, flow_state, error_message, error_phase, error_details,
  created_at, updated_at, started_at, completed_at
)
SELECT f.id, f.flow_id, f.client_account_id, f.engagement_id, f.data_import_id, f.user_id, f.status,
       f.progress_percentage, f.flow_type, f.current_phase, f.phases_completed, f.flow_state, f.error_message,
       f.error_phase, f.error_details, f.created_at, f.updated_at, f.started_at, f.completed_at
FROM migration.v3_discovery_flows AS f
WHERE f.data_import_id IN (SELECT id FROM migration.data_imports);

-- Ten V3 field mappings per V3 import, plus mappings of imports that no longer exist.
INSERT INTO migration.v3_field_mappings (
  id, data_import_id, client_account_id, master_flow_id, source_field, target_field, mapping_type,
  confidence_score, is_approved, is_rejected, ai_model_version, approved_by, approved_at,
  transformation_logic, is_validated, created_at, updated_at
)
SELECT md5('mapping-' || d.id || '-' || f)::uuid, d.id, d.client_account_id, d.master_flow_id,
       (ARRAY['hostname', 'ip_addr', 'os', 'cpu', 'ram_gb', 'owner', 'env', 'app', 'dc', 'serial'])[f],
       CASE WHEN f = 10 THEN NULL ELSE (ARRAY['name', 'ip_address', 'operating_system', 'cpu_cores', 'memory_gb', 'business_owner', 'environment', 'application_name', 'datacenter'])[f] END,
       (ARRAY['exact', 'fuzzy', 'ai'])[1 + f % 3], round((0.5 + (f % 5) / 10.0)::numeric, 3),
       f % 4 <> 0, f % 4 = 0 OR (f = 1 AND abs(hashtext(d.id::text)) % 50 = 0),
       CASE WHEN f % 3 = 2 THEN 'gpt-4o-2024-08' END,
       CASE WHEN f % 4 <> 0 THEN d.user_id END, CASE WHEN f % 4 <> 0 THEN d.updated_at END,
       CASE WHEN f = 5 THEN '{"unit": "GB", "round": 0}'::jsonb END, f % 2 = 0, d.created_at, d.updated_at
FROM migration.v3_data_imports AS d
CROSS JOIN generate_series(1, 10) AS f
UNION ALL
SELECT md5('orphan-mapping-' || o)::uuid, md5('deleted-import-' || o)::uuid, md5('client-1')::uuid, NULL,
       'legacy_col_' || o, NULL, 'exact', 0.5, false, false, NULL, NULL, NULL, NULL, false,
       now() - interval '400 days', NULL
FROM generate_series(1, 25) AS o;

INSERT INTO migration.import_field_mappings (
  id, data_import_id, client_account_id, source_field, target_field, match_type, confidence_score, status,
  suggested_by, approved_by, approved_at, transformation_rules, is_validated, created_at, updated_at
)
SELECT m.id, m.data_import_id, m.client_account_id, m.source_field, m.target_field, m.mapping_type, m.confidence_score,
       CASE WHEN m.is_approved THEN 'approved' WHEN m.is_rejected THEN 'rejected' ELSE 'suggested' END,
       m.ai_model_version, m.approved_by, m.approved_at, m.transformation_logic, m.is_validated, m.created_at, m.updated_at
FROM migration.v3_field_mappings AS m
WHERE m.data_import_id IN (SELECT id FROM migration.data_imports);

-- Raw rows of the V3 imports, 60 per import; every 301st lost its payload.
INSERT INTO migration.v3_raw_import_records (data_import_id, row_number, raw_data, is_processed, created_at)
SELECT d.id, r,
       CASE WHEN (d.n * 60 + r) % 301 = 0 THEN NULL
            ELSE jsonb_build_object('hostname', 'srv-' || d.n || '-' || r, 'ip', '10.' || (d.n % 250) || '.' || (r % 250) || '.7', 'os', (ARRAY['RHEL 8', 'Windows 2019', 'Ubuntu 22.04'])[1 + r % 3])
       END,
       r % 9 <> 0, d.created_at
FROM (SELECT v.id, v.created_at, row_number() OVER (ORDER BY v.created_at) AS n FROM migration.v3_data_imports AS v) AS d
CROSS JOIN generate_series(1, 60) AS r;

INSERT INTO migration.workflow_states (flow_id, state, payload, created_at)
SELECT md5('flow-id-' || (g % 500))::uuid, (ARRAY['started', 'mapping', 'done'])[1 + g % 3], CASE WHEN g % 4 = 0 THEN '{"legacy": true}'::jsonb END, now() - g * interval '1 hour'
FROM generate_series(1, 3000) AS g;
INSERT INTO migration.discovery_assets (flow_id, asset_name, asset_type, is_mock, created_at)
SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE md5('flow-id-' || (g % 500))::uuid END, 'asset-' || g, (ARRAY['server', 'database', NULL])[1 + g % 3], g % 8 = 0, now() - g * interval '30 minutes'
FROM generate_series(1, 5000) AS g;
INSERT INTO migration.mapping_learning_patterns (source_pattern, target_field, hits)
SELECT 'col_' || g, 'field_' || (g % 40), g % 97 FROM generate_series(1, 400) AS g;
INSERT INTO migration.data_quality_issues (data_import_id, severity, message, created_at)
SELECT md5('import-' || (g % 300 + 1))::uuid, (ARRAY['low', 'medium', 'high'])[1 + g % 3], 'Missing value in row ' || g, now() - g * interval '2 hours'
FROM generate_series(1, 1200) AS g;
INSERT INTO migration.workflow_progress (flow_id, phase, percent, updated_at)
SELECT md5('flow-id-' || g)::uuid, 'inventory', (g % 101)::numeric, CASE WHEN g % 5 = 0 THEN NULL ELSE now() - g * interval '1 hour' END
FROM generate_series(1, 800) AS g;
INSERT INTO migration.import_processing_steps (data_import_id, step_name, status, started_at, completed_at)
SELECT md5('import-' || (g % 300 + 1))::uuid, (ARRAY['parse', 'validate', 'map', 'load'])[1 + g % 4], CASE WHEN g % 20 = 0 THEN 'failed' ELSE 'done' END, now() - g * interval '1 hour', CASE WHEN g % 20 = 0 THEN NULL ELSE now() - g * interval '1 hour' + interval '1 minute' END
FROM generate_series(1, 2400) AS g;
