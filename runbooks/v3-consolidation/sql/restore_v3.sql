-- Rollback of retiring the V3 tables: the same tables move back from the archive schema.
SET LOCAL lock_timeout = '5s';
ALTER TABLE {{ ident vars.archive_schema }}.v3_raw_import_records SET SCHEMA migration;
ALTER TABLE {{ ident vars.archive_schema }}.v3_field_mappings SET SCHEMA migration;
ALTER TABLE {{ ident vars.archive_schema }}.v3_discovery_flows SET SCHEMA migration;
ALTER TABLE {{ ident vars.archive_schema }}.v3_data_imports SET SCHEMA migration;
