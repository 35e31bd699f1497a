-- Rows that existed before the run had no master_flow_id column: back to NULL.
UPDATE migration.data_imports AS d SET master_flow_id = NULL
FROM {{ ident vars.backup_schema }}.data_imports AS b WHERE b.id = d.id;

UPDATE migration.discovery_flows AS d SET master_flow_id = NULL
FROM {{ ident vars.backup_schema }}.discovery_flows AS b WHERE b.id = d.id;

UPDATE migration.import_field_mappings AS d SET master_flow_id = NULL
FROM {{ ident vars.backup_schema }}.import_field_mappings AS b WHERE b.id = d.id;
