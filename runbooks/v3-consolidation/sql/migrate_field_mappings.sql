-- Seed 002, task 1.3 (3): mapping_type → match_type, ai_model_version → suggested_by,
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
