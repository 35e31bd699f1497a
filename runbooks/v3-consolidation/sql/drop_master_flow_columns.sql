SET LOCAL lock_timeout = '5s';
ALTER TABLE migration.import_field_mappings DROP COLUMN master_flow_id;
ALTER TABLE migration.discovery_flows DROP COLUMN master_flow_id;
ALTER TABLE migration.data_imports DROP COLUMN master_flow_id;
