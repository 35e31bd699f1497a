-- Long-term archive of every table the cleanup drops (seed 002, task 1.4: "after backup").
-- Unlike the backup schema, the archive stays after the run is signed off.
CREATE SCHEMA {{ ident vars.archive_schema }};
CREATE TABLE {{ ident vars.archive_schema }}.workflow_states AS TABLE migration.workflow_states;
CREATE TABLE {{ ident vars.archive_schema }}.discovery_assets AS TABLE migration.discovery_assets;
CREATE TABLE {{ ident vars.archive_schema }}.mapping_learning_patterns AS TABLE migration.mapping_learning_patterns;
CREATE TABLE {{ ident vars.archive_schema }}.data_quality_issues AS TABLE migration.data_quality_issues;
CREATE TABLE {{ ident vars.archive_schema }}.workflow_progress AS TABLE migration.workflow_progress;
CREATE TABLE {{ ident vars.archive_schema }}.import_processing_steps AS TABLE migration.import_processing_steps;
CREATE TABLE {{ ident vars.archive_schema }}.v3_data_imports AS TABLE migration.v3_data_imports;
CREATE TABLE {{ ident vars.archive_schema }}.v3_discovery_flows AS TABLE migration.v3_discovery_flows;
CREATE TABLE {{ ident vars.archive_schema }}.v3_field_mappings AS TABLE migration.v3_field_mappings;
CREATE TABLE {{ ident vars.archive_schema }}.v3_raw_import_records AS TABLE migration.v3_raw_import_records;
