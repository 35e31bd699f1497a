import { bigint, customType, integer, jsonb, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

// The `stepwise` schema of a team's state database (--state postgres://…): the tables runs are
// journaled in. The DDL that creates them is in migrations.ts; tests/store/schema.test.ts holds
// the two to the same columns.

export const stepwiseSchema = pgSchema('stepwise');

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

// Which migrations (migrations.ts) the schema has.
export const schemaMigrations = stepwiseSchema.table('schema_migrations', {
  version: integer('version').primaryKey(),
  name: text('name').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

// One row per run; its step definitions as the run started (for drift diffs on resume).
export const runs = stepwiseSchema.table('runs', {
  runId: text('run_id').primaryKey(),
  runbook: text('runbook').notNull(),
  host: text('host').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  stepDefinitions: text('step_definitions'),
});

// The journal: `line` is the journal line exactly as a file journal holds it (without its
// newline), so the hash chain is the same bytes in both backends; the other columns are read from
// it for queries. Append-only: triggers refuse UPDATE, DELETE and TRUNCATE, and an INSERT from an
// engine that does not hold the run's lease or that does not continue the chain.
export const events = stepwiseSchema.table(
  'events',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.runId),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    line: text('line').notNull(),
    type: text('type').notNull(),
    ts: timestamp('ts', { withTimezone: true, mode: 'string' }).notNull(),
    prev: text('prev').notNull(),
    hash: text('hash').notNull(),
    engineId: text('engine_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

// Who may append to a run: one engine at a time, until expires_at (renewed while it lives).
export const leases = stepwiseSchema.table('leases', {
  runId: text('run_id')
    .primaryKey()
    .references(() => runs.runId),
  engineId: text('engine_id').notNull(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  takenAt: timestamp('taken_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }).notNull(),
});

// Step logs, copied in chunks as they grow: `log` is the file's name in the run's logs/
// directory (copy.1.log), `start` the chunk's byte offset in it.
export const logChunks = stepwiseSchema.table(
  'log_chunks',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.runId),
    log: text('log').notNull(),
    start: bigint('start', { mode: 'number' }).notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.log, t.start] })],
);

// A step log's size as its step closed, written once its bytes up to there are in log_chunks.
export const logEnds = stepwiseSchema.table(
  'log_ends',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.runId),
    log: text('log').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.log] })],
);

// A run's snapshot (journal/run-snapshot.ts): the record up to event `seq`, a cache.
export const snapshots = stepwiseSchema.table('snapshots', {
  runId: text('run_id')
    .primaryKey()
    .references(() => runs.runId),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
  body: text('body').notNull(),
  writtenAt: timestamp('written_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

// Intents from other hosts (store/intent-rows.ts): the request as a socket client sends it, who
// asked (the inserting connection's role, forced by a trigger, with the OS user and host the client
// gives), and the engine's answer, written once.
export const intents = stepwiseSchema.table('intents', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  runId: text('run_id')
    .notNull()
    .references(() => runs.runId),
  body: jsonb('body').notNull(),
  clientRole: text('client_role').notNull(),
  requestedBy: text('requested_by').notNull(),
  osUser: text('os_user').notNull(),
  host: text('host').notNull(),
  display: text('display'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  answer: text('answer'),
  message: text('message'),
  kind: text('kind'),
  result: jsonb('result'),
  answeredBy: text('answered_by'),
  answeredAt: timestamp('answered_at', { withTimezone: true, mode: 'string' }),
});

// The run's engine as a screen on another host needs it (store/engine-views.ts): its view, written
// as it starts, and its live state, a few times a second at most.
export const engineViews = stepwiseSchema.table('engine_views', {
  runId: text('run_id')
    .primaryKey()
    .references(() => runs.runId),
  engineId: text('engine_id').notNull(),
  host: text('host').notNull(),
  view: jsonb('view').notNull(),
  live: jsonb('live'),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  endedAt: timestamp('ended_at', { withTimezone: true, mode: 'string' }),
});

// Front ends attached to a run through the database (store/client-presence.ts): who (the inserting
// connection's role, forced by a trigger, with the OS user and host the client gives) and when it
// was last heard from; its run's engine counts the rows renewed lately among its clients.
export const clients = stepwiseSchema.table('clients', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  runId: text('run_id')
    .notNull()
    .references(() => runs.runId),
  clientRole: text('client_role').notNull(),
  dbRole: text('db_role').notNull(),
  osUser: text('os_user').notNull(),
  host: text('host').notNull(),
  display: text('display'),
  attachedAt: timestamp('attached_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  seenAt: timestamp('seen_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});
