-- Dual-write (the plan, phase 2): every write to background_tasks is mirrored into
-- task_queue in the same transaction. CREATE OR REPLACE makes this safe to run again.
SET LOCAL lock_timeout = '5s';
CREATE OR REPLACE FUNCTION background_tasks_dual_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM task_queue WHERE id = OLD.id;
    RETURN OLD;
  END IF;
  INSERT INTO task_queue (
    id, kind, payload, state, priority, attempts, run_after, leased_by, lease_heartbeat_at,
    last_error, created_at, updated_at, finished_at, origin
  )
  SELECT
    v.id, v.kind, v.payload, v.state, v.priority, v.attempts, v.run_after, v.leased_by,
    v.lease_heartbeat_at, v.last_error, v.created_at, v.updated_at, v.finished_at, 'dual-write'
  FROM background_tasks_as_queue AS v
  WHERE v.id = NEW.id
  ON CONFLICT (id) DO UPDATE SET
    kind = EXCLUDED.kind,
    payload = EXCLUDED.payload,
    state = EXCLUDED.state,
    priority = EXCLUDED.priority,
    attempts = EXCLUDED.attempts,
    run_after = EXCLUDED.run_after,
    leased_by = EXCLUDED.leased_by,
    lease_heartbeat_at = EXCLUDED.lease_heartbeat_at,
    last_error = EXCLUDED.last_error,
    created_at = EXCLUDED.created_at,
    updated_at = EXCLUDED.updated_at,
    finished_at = EXCLUDED.finished_at,
    origin = 'dual-write';
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER background_tasks_dual_write
  AFTER INSERT OR UPDATE OR DELETE ON background_tasks
  FOR EACH ROW EXECUTE FUNCTION background_tasks_dual_write();
