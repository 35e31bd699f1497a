// The `stepwise` schema's migrations, in order: stepwise applies the ones a database lacks
// (migrate.ts). Append new ones at the end with the next version; never edit one that shipped.
// schema.ts describes the tables they make.

export interface Migration {
  version: number;
  name: string;
  // Run one by one, in one transaction with the others being applied.
  statements: string[];
}

// Errors the schema's triggers raise (SQLSTATE), read by store/append-refusal.ts.
export const leaseRefused = 'SW001';
export const chainRefused = 'SW002';
export const appendOnly = 'SW003';

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'journal, leases, log chunks, snapshots',
    statements: [
      `CREATE TABLE stepwise.runs (
        run_id text PRIMARY KEY,
        runbook text NOT NULL,
        host text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        step_definitions text
      )`,
      `CREATE TABLE stepwise.events (
        run_id text NOT NULL REFERENCES stepwise.runs (run_id),
        seq bigint NOT NULL,
        line text NOT NULL,
        type text NOT NULL,
        ts timestamptz NOT NULL,
        prev text NOT NULL,
        hash text NOT NULL,
        engine_id text NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`,
      `CREATE TABLE stepwise.leases (
        run_id text PRIMARY KEY REFERENCES stepwise.runs (run_id),
        engine_id text NOT NULL,
        host text NOT NULL,
        pid integer NOT NULL,
        taken_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`,
      `CREATE TABLE stepwise.log_chunks (
        run_id text NOT NULL REFERENCES stepwise.runs (run_id),
        log text NOT NULL,
        start bigint NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (run_id, log, start)
      )`,
      `CREATE TABLE stepwise.snapshots (
        run_id text PRIMARY KEY REFERENCES stepwise.runs (run_id),
        seq bigint NOT NULL,
        hash text NOT NULL,
        body text NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now()
      )`,
      // The fence: only the lease's engine appends, and only the next event of the chain. The
      // lease row is read FOR SHARE, so a takeover waits for an append in flight, and an append
      // after the takeover sees the new holder.
      `CREATE FUNCTION stepwise.fence_event() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        holder stepwise.leases%ROWTYPE;
        head_seq bigint;
        head_hash text;
      BEGIN
        SELECT * INTO holder FROM stepwise.leases WHERE run_id = NEW.run_id FOR SHARE;
        IF NOT FOUND OR holder.engine_id <> NEW.engine_id THEN
          RAISE EXCEPTION 'engine % does not hold the lease of run %', NEW.engine_id, NEW.run_id
            USING ERRCODE = '${leaseRefused}';
        END IF;
        SELECT seq, hash INTO head_seq, head_hash FROM stepwise.events
          WHERE run_id = NEW.run_id ORDER BY seq DESC LIMIT 1;
        IF NEW.seq <> coalesce(head_seq, 0) + 1 THEN
          RAISE EXCEPTION 'run % is at seq %, not %', NEW.run_id, coalesce(head_seq, 0), NEW.seq - 1
            USING ERRCODE = '${chainRefused}';
        END IF;
        IF NEW.prev <> coalesce(head_hash, repeat('0', 64)) THEN
          RAISE EXCEPTION 'event % of run % does not continue the hash chain', NEW.seq, NEW.run_id
            USING ERRCODE = '${chainRefused}';
        END IF;
        RETURN NEW;
      END $$`,
      `CREATE TRIGGER events_fence BEFORE INSERT ON stepwise.events
        FOR EACH ROW EXECUTE FUNCTION stepwise.fence_event()`,
      // Watchers hear of each event with only its run and seq; they read it from the table.
      `CREATE FUNCTION stepwise.notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('stepwise_events', NEW.run_id || ':' || NEW.seq);
        RETURN NULL;
      END $$`,
      `CREATE TRIGGER events_notify AFTER INSERT ON stepwise.events
        FOR EACH ROW EXECUTE FUNCTION stepwise.notify_event()`,
      `CREATE FUNCTION stepwise.refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'journal events are append-only: % refused', TG_OP USING ERRCODE = '${appendOnly}';
      END $$`,
      `CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON stepwise.events
        FOR EACH ROW EXECUTE FUNCTION stepwise.refuse_event_change()`,
      `CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON stepwise.events
        FOR EACH STATEMENT EXECUTE FUNCTION stepwise.refuse_event_change()`,
    ],
  },
];
