-- Master flow linkage (the plan, task 2.3 validates it). Nullable without a default: a
-- catalog-only change, no table rewrite.
SET LOCAL lock_timeout = '5s';
ALTER TABLE migration.data_imports ADD COLUMN master_flow_id uuid;
ALTER TABLE migration.discovery_flows ADD COLUMN master_flow_id uuid;
ALTER TABLE migration.import_field_mappings ADD COLUMN master_flow_id uuid;
