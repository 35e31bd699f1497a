-- The plan, task 1.4: the V3 tables leave the migration schema whole, as the deprecated ones did.
SET LOCAL lock_timeout = '5s';
ALTER TABLE migration.v3_raw_import_records SET SCHEMA {{ ident vars.archive_schema }};
ALTER TABLE migration.v3_field_mappings SET SCHEMA {{ ident vars.archive_schema }};
ALTER TABLE migration.v3_discovery_flows SET SCHEMA {{ ident vars.archive_schema }};
ALTER TABLE migration.v3_data_imports SET SCHEMA {{ ident vars.archive_schema }};
