-- Seed 002, task 1.3 (1): field renames source_filename → filename, file_size_bytes →
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
