-- Rows an earlier attempt copied before master_flow_id existed get their link from V3.
UPDATE migration.data_imports AS d SET master_flow_id = v.master_flow_id
FROM migration.v3_data_imports AS v
WHERE v.id = d.id AND d.master_flow_id IS NULL AND v.master_flow_id IS NOT NULL;

UPDATE migration.discovery_flows AS d SET master_flow_id = v.master_flow_id
FROM migration.v3_discovery_flows AS v
WHERE v.id = d.id AND d.master_flow_id IS NULL AND v.master_flow_id IS NOT NULL;

UPDATE migration.import_field_mappings AS d SET master_flow_id = v.master_flow_id
FROM migration.v3_field_mappings AS v
WHERE v.id = d.id AND d.master_flow_id IS NULL AND v.master_flow_id IS NOT NULL;
