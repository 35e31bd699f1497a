-- Raw rows of the imports get a consolidated table of their own (the plan, task 3.1: "raw_data
-- (move to separate table if needed)"). New and empty: no NOT VALID or CONCURRENTLY needed.
SET LOCAL lock_timeout = '5s';
CREATE TABLE migration.raw_import_records (
  id bigint PRIMARY KEY,
  data_import_id uuid NOT NULL REFERENCES migration.data_imports (id),
  row_number integer NOT NULL,
  raw_data jsonb,
  is_processed boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL
);
CREATE INDEX ix_raw_import_records_data_import_id ON migration.raw_import_records (data_import_id);
