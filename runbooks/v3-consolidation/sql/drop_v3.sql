SET LOCAL lock_timeout = '5s';
DROP TABLE migration.v3_raw_import_records;
DROP TABLE migration.v3_field_mappings;
DROP TABLE migration.v3_discovery_flows;
DROP TABLE migration.v3_data_imports;
