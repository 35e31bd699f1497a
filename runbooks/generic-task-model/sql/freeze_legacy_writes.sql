-- The legacy tables become read-only while the hierarchy is copied, so the copy is complete.
-- Rolling back drops these triggers ("Restore legacy table access" in the plan).
SET LOCAL lock_timeout = '5s';
CREATE FUNCTION reject_legacy_task_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is read-only during the generic task model migration', TG_TABLE_NAME
    USING HINT = 'Roll the migration back (stepwise rollback) to restore write access.';
END
$$;

CREATE TRIGGER task_breakdowns_read_only
  BEFORE INSERT OR UPDATE OR DELETE ON task_breakdowns
  FOR EACH STATEMENT EXECUTE FUNCTION reject_legacy_task_write();

CREATE TRIGGER subtasks_read_only
  BEFORE INSERT OR UPDATE OR DELETE ON subtasks
  FOR EACH STATEMENT EXECUTE FUNCTION reject_legacy_task_write();
