-- Pre-migration copies of every table this runbook changes or drops (the plan, task 1.2), on
-- the same server. CREATE SCHEMA without IF NOT EXISTS: an earlier backup is never overwritten.
CREATE SCHEMA {{ ident vars.backup_schema }};
CREATE TABLE {{ ident vars.backup_schema }}.data_imports AS TABLE migration.data_imports;
CREATE TABLE {{ ident vars.backup_schema }}.discovery_flows AS TABLE migration.discovery_flows;
CREATE TABLE {{ ident vars.backup_schema }}.import_field_mappings AS TABLE migration.import_field_mappings;
CREATE TABLE {{ ident vars.backup_schema }}.v3_data_imports AS TABLE migration.v3_data_imports;
CREATE TABLE {{ ident vars.backup_schema }}.v3_discovery_flows AS TABLE migration.v3_discovery_flows;
CREATE TABLE {{ ident vars.backup_schema }}.v3_field_mappings AS TABLE migration.v3_field_mappings;
CREATE TABLE {{ ident vars.backup_schema }}.v3_raw_import_records AS TABLE migration.v3_raw_import_records;
CREATE TABLE {{ ident vars.backup_schema }}.workflow_states AS TABLE migration.workflow_states;
CREATE TABLE {{ ident vars.backup_schema }}.discovery_assets AS TABLE migration.discovery_assets;
CREATE TABLE {{ ident vars.backup_schema }}.mapping_learning_patterns AS TABLE migration.mapping_learning_patterns;
CREATE TABLE {{ ident vars.backup_schema }}.data_quality_issues AS TABLE migration.data_quality_issues;
CREATE TABLE {{ ident vars.backup_schema }}.workflow_progress AS TABLE migration.workflow_progress;
CREATE TABLE {{ ident vars.backup_schema }}.import_processing_steps AS TABLE migration.import_processing_steps;
