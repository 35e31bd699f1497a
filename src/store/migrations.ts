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
  {
    version: 2,
    name: 'intents from other hosts, the engine view they attach to',
    statements: [
      // An intent from another host: the same request a socket client sends (protocol/messages.ts,
      // requestSchema), answered in the row by the run's engine. Who asked is the role of the
      // connection that inserted it, whatever the row says (intents_insert); os_user, host and
      // display are the client's word, recorded beside it.
      `CREATE TABLE stepwise.intents (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id text NOT NULL REFERENCES stepwise.runs (run_id),
        body jsonb NOT NULL,
        client_role text NOT NULL CHECK (client_role IN ('operator', 'watcher')),
        requested_by text NOT NULL DEFAULT session_user,
        os_user text NOT NULL,
        host text NOT NULL,
        display text,
        created_at timestamptz NOT NULL DEFAULT now(),
        answer text CHECK (answer IN ('done', 'refused')),
        message text,
        kind text,
        result jsonb,
        answered_by text,
        answered_at timestamptz
      )`,
      `CREATE INDEX intents_waiting ON stepwise.intents (run_id, id) WHERE answer IS NULL`,
      `CREATE FUNCTION stepwise.intent_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.requested_by := session_user;
        NEW.created_at := now();
        NEW.answer := NULL;
        NEW.message := NULL;
        NEW.kind := NULL;
        NEW.result := NULL;
        NEW.answered_by := NULL;
        NEW.answered_at := NULL;
        RETURN NEW;
      END $$`,
      `CREATE TRIGGER intents_insert BEFORE INSERT ON stepwise.intents
        FOR EACH ROW EXECUTE FUNCTION stepwise.intent_inserted()`,
      // An intent is answered once, and the answer is all that changes; who answered is recorded.
      `CREATE FUNCTION stepwise.intent_answered() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' THEN
          RAISE EXCEPTION 'intents are kept: % refused', TG_OP USING ERRCODE = '${appendOnly}';
        END IF;
        IF OLD.answer IS NOT NULL OR NEW.answer IS NULL
           OR (NEW.id, NEW.run_id, NEW.body, NEW.client_role, NEW.requested_by, NEW.os_user, NEW.host, NEW.display, NEW.created_at)
              IS DISTINCT FROM
              (OLD.id, OLD.run_id, OLD.body, OLD.client_role, OLD.requested_by, OLD.os_user, OLD.host, OLD.display, OLD.created_at) THEN
          RAISE EXCEPTION 'an intent is answered once and never changed otherwise: % refused', TG_OP
            USING ERRCODE = '${appendOnly}';
        END IF;
        NEW.answered_by := session_user;
        NEW.answered_at := now();
        RETURN NEW;
      END $$`,
      `CREATE TRIGGER intents_answer BEFORE UPDATE OR DELETE ON stepwise.intents
        FOR EACH ROW EXECUTE FUNCTION stepwise.intent_answered()`,
      `CREATE TRIGGER intents_no_truncate BEFORE TRUNCATE ON stepwise.intents
        FOR EACH STATEMENT EXECUTE FUNCTION stepwise.intent_answered()`,
      // The engine hears of a new intent, the client of its answer: ids only, rows read from the table.
      `CREATE FUNCTION stepwise.notify_intent() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM pg_notify('stepwise_intents', NEW.run_id || ':' || NEW.id);
        ELSE
          PERFORM pg_notify('stepwise_answers', NEW.run_id || ':' || NEW.id);
        END IF;
        RETURN NULL;
      END $$`,
      `CREATE TRIGGER intents_notify AFTER INSERT OR UPDATE ON stepwise.intents
        FOR EACH ROW EXECUTE FUNCTION stepwise.notify_intent()`,
      // What a screen on another host needs besides the journal: the engine's view of the run
      // (runbook, previews, numbers; written once as it starts) and its live state (output tails,
      // the next action, who is attached; a few times a second at most). Only the engine named
      // in the row updates it, so an engine that lost the run cannot overwrite its successor's.
      `CREATE TABLE stepwise.engine_views (
        run_id text PRIMARY KEY REFERENCES stepwise.runs (run_id),
        engine_id text NOT NULL,
        host text NOT NULL,
        view jsonb NOT NULL,
        live jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`,
      `CREATE FUNCTION stepwise.notify_engine_view() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('stepwise_views', NEW.run_id);
        RETURN NULL;
      END $$`,
      `CREATE TRIGGER engine_views_notify AFTER INSERT OR UPDATE ON stepwise.engine_views
        FOR EACH ROW EXECUTE FUNCTION stepwise.notify_engine_view()`,
    ],
  },
  {
    version: 3,
    name: 'front ends attached through the database',
    statements: [
      // A front end on another host attached to a run (store/client-presence.ts): it inserts its
      // row as it attaches, renews seen_at while it stays and deletes the row as it leaves; the
      // run's engine counts the rows seen lately among its clients. Who it is is the inserting
      // connection's role (clients_seen); os_user, host and display are the client's word.
      `CREATE TABLE stepwise.clients (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id text NOT NULL REFERENCES stepwise.runs (run_id),
        client_role text NOT NULL CHECK (client_role IN ('operator', 'watcher')),
        db_role text NOT NULL DEFAULT session_user,
        os_user text NOT NULL,
        host text NOT NULL,
        display text,
        attached_at timestamptz NOT NULL DEFAULT now(),
        seen_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX clients_of_run ON stepwise.clients (run_id)`,
      // A renewal may say the client was seen earlier (a test expiring it), never later than now.
      `CREATE FUNCTION stepwise.client_seen() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          NEW.db_role := session_user;
          NEW.attached_at := now();
          NEW.seen_at := now();
        ELSE
          NEW.seen_at := least(NEW.seen_at, now());
        END IF;
        RETURN NEW;
      END $$`,
      `CREATE TRIGGER clients_seen BEFORE INSERT OR UPDATE ON stepwise.clients
        FOR EACH ROW EXECUTE FUNCTION stepwise.client_seen()`,
      // Everyone sees who is attached; a role renews and removes only its own rows (the schema's
      // owner, which bypasses the policies, any).
      `ALTER TABLE stepwise.clients ENABLE ROW LEVEL SECURITY`,
      `CREATE POLICY clients_read ON stepwise.clients FOR SELECT USING (true)`,
      `CREATE POLICY clients_attach ON stepwise.clients FOR INSERT WITH CHECK (true)`,
      `CREATE POLICY clients_renew ON stepwise.clients FOR UPDATE USING (db_role = session_user)`,
      `CREATE POLICY clients_leave ON stepwise.clients FOR DELETE USING (db_role = session_user)`,
      // The engine hears of a client coming, renewing or leaving with only the run's id.
      `CREATE FUNCTION stepwise.notify_client() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('stepwise_clients', coalesce(NEW.run_id, OLD.run_id));
        RETURN NULL;
      END $$`,
      `CREATE TRIGGER clients_notify AFTER INSERT OR UPDATE OR DELETE ON stepwise.clients
        FOR EACH ROW EXECUTE FUNCTION stepwise.notify_client()`,
    ],
  },
  {
    version: 4,
    name: 'the size of each step log as its step closed',
    statements: [
      // Written once the log's bytes up to `size` are in log_chunks: a reader on another host
      // knows the copy it reads is whole (store/log-copy.ts), or that it is not.
      `CREATE TABLE stepwise.log_ends (
        run_id text NOT NULL REFERENCES stepwise.runs (run_id),
        log text NOT NULL,
        size bigint NOT NULL,
        PRIMARY KEY (run_id, log)
      )`,
    ],
  },
];
