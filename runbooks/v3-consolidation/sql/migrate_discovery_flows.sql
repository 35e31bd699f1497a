-- Seed 002, task 1.3 (2): same field names; is_mock and assessment_package are dropped.
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
