-- The plan, task 1.3, as the plan runs it: the three copies in one transaction (the step's),
-- so the consolidated tables get all of the V3 rows or none. Each is idempotent (WHERE NOT
-- EXISTS): a rerun after a failure, or after an earlier attempt, copies only what is missing.

-- The plan, task 1.3 (1): field renames source_filename → filename, file_size_bytes →
-- file_size, file_type → mime_type, user_id → imported_by; is_mock, file_hash and
-- import_config are dropped. WHERE NOT EXISTS makes it safe to run again.
INSERT INTO migration.data_imports (
  id, client_account_id, engagement_id, master_flow_id,
  filename, file_size, mime_type, source_system,
  status, import_name, import_type, description,
  error_message, error_details, progress_percentage,
  total_records, processed_records, failed_records,
  imported_by, created_at, updated_at, started_at, completed_at
)
SELECT
  id, client_account_id, engagement_id, master_flow_id,
  source_filename, file_size_bytes, file_type, source_system,
  status, import_name, import_type, description,
  error_message, error_details, progress_percentage,
  total_records, processed_records, failed_records,
  user_id, created_at, updated_at, started_at, completed_at
FROM migration.v3_data_imports
WHERE NOT EXISTS (
  SELECT 1 FROM migration.data_imports WHERE id = v3_data_imports.id
);

-- The plan, task 1.3 (2): same field names; is_mock and assessment_package are dropped.
INSERT INTO migration.discovery_flows (
  id, flow_id, master_flow_id, client_account_id, engagement_id,
  data_import_id, user_id, status, progress_percentage,
  flow_type, current_phase, phases_completed, flow_state,
  error_message, error_phase, error_details,
  created_at, updated_at, started_at, completed_at
)
SELECT
  id, flow_id, master_flow_id, client_account_id, engagement_id,
  data_import_id, user_id, status, progress_percentage,
  flow_type, current_phase, phases_completed, flow_state,
  error_message, error_phase, error_details,
  created_at, updated_at, started_at, completed_at
FROM migration.v3_discovery_flows
WHERE NOT EXISTS (
  SELECT 1 FROM migration.discovery_flows WHERE id = v3_discovery_flows.id
);

-- The plan, task 1.3 (3): mapping_type → match_type, ai_model_version → suggested_by,
-- transformation_logic → transformation_rules, and the two flags become one status
-- (approved wins when both are set). Mappings whose import exists nowhere cannot satisfy the
-- foreign key: they stay in the V3 table, the backup and the archive.
INSERT INTO migration.import_field_mappings (
  id, data_import_id, client_account_id, master_flow_id,
  source_field, target_field, match_type, confidence_score,
  status, suggested_by, approved_by, approved_at,
  transformation_rules, is_validated,
  created_at, updated_at
)
SELECT
  id, data_import_id, client_account_id, master_flow_id,
  source_field, target_field, mapping_type, confidence_score,
  CASE
    WHEN is_approved THEN 'approved'
    WHEN is_rejected THEN 'rejected'
    ELSE 'suggested'
  END AS status,
  ai_model_version, approved_by, approved_at,
  transformation_logic, is_validated,
  created_at, updated_at
FROM migration.v3_field_mappings
WHERE NOT EXISTS (
  SELECT 1 FROM migration.import_field_mappings WHERE id = v3_field_mappings.id
)
AND EXISTS (
  SELECT 1 FROM migration.data_imports WHERE id = v3_field_mappings.data_import_id
);
