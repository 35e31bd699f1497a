import { z } from 'zod';
import { durationPattern, withinMaxDuration } from './duration-ms.js';
import { postgresUrlPattern } from './postgres-url.js';
import { sqlRuleNames } from './sql-rule-names.js';

// The single source of the runbook types (format version 1, described in runbooks/README.md).
// runbooks/runbook.schema.json is generated from this file: `npm run schema`.

const idPattern = /^[a-z0-9][a-z0-9-]*$/;
// Ids and names become file names (logs, locks, run directories): short enough for any file system.
const identifier = z
  .string()
  .regex(idPattern, 'must match [a-z0-9-]+ (lowercase letters, digits, dashes)')
  .max(63, 'must be at most 63 characters');

export const duration = z
  .string()
  .regex(durationPattern, 'must be a duration such as 500ms, 30s, 10m or 1h')
  .refine(withinMaxDuration, 'must be at most 365d');

const connName = z.string().min(1);
const scalarTypes = [z.string(), z.number(), z.boolean(), z.null()] as const;
const scalar = z.union(scalarTypes);

// A value an expectation compares with: a scalar (equality) or one comparison. One flat union:
// a nested one that fails (a comparison is no scalar) costs zod a formatted error per value.
export const expectValue = z.union([
  ...scalarTypes,
  z
    .object({
      eq: scalar.optional(),
      ne: scalar.optional(),
      lt: z.union([z.number(), z.string()]).optional(),
      lte: z.union([z.number(), z.string()]).optional(),
      gt: z.union([z.number(), z.string()]).optional(),
      gte: z.union([z.number(), z.string()]).optional(),
    })
    .strict(),
]);

// Columns of the first row mapped to values; the key `rows` compares the row count.
export const expectMap = z.record(z.string(), expectValue);

export const runExpect = z
  .object({
    exit: z.array(z.number().int()).optional().describe('accepted exit codes (default [0])'),
    stdout: z.string().optional().describe('a regular expression the output must match'),
  })
  .strict();

export const runBody = z.union([
  z.array(z.string()).min(1).describe('argv, run without a shell'),
  z
    .object({
      argv: z.array(z.string()).min(1).optional(),
      shell: z.string().optional().describe('a shell command; template values are shell-quoted'),
      cwd: z.string().optional(),
      env: z.record(z.string(), z.string()).optional(),
      expect: runExpect.optional(),
    })
    .strict(),
]);

export const rowsGuard = z
  .object({
    max: z.number().int().nonnegative().optional(),
    min: z.number().int().nonnegative().optional(),
    exactly: z.number().int().nonnegative().optional(),
  })
  .strict();

export const sqlBody = z.union([
  z.string().describe('SQL text on the only connection'),
  z
    .object({
      conn: connName.optional(),
      text: z.string().optional(),
      file: z.string().optional().describe('path relative to the runbook'),
      transaction: z.boolean().optional().describe('run in one transaction (default true)'),
      rows: rowsGuard.optional(),
    })
    .strict(),
]);

export const sqlCheck = z
  .object({
    conn: connName.optional(),
    sql: z.string(),
    expect: expectMap,
  })
  .strict();

export const runCheck = z
  .object({
    run: runBody,
    expect: runExpect.optional(),
  })
  .strict();

export const compareSide = z
  .object({
    conn: connName.optional(),
    table: z.string().optional(),
    query: z.string().optional(),
    key: z.union([z.string(), z.array(z.string()).min(1)]),
    columns: z.array(z.string()).min(1).optional(),
    where: z.string().optional(),
  })
  .strict();

// Holding a step's work while a streaming replica of its primary lags behind.
const replicaLagLimits = z.object({
  max_replica_lag: duration
    .optional()
    .describe("hold the work while a streaming replica's replay lag (pg_stat_replication) is above this"),
  resume_replica_lag: duration
    .optional()
    .describe('once held, go on when the lag is below this (default: half of max_replica_lag)'),
});

export const compareBody = z
  .object({
    left: compareSide,
    right: compareSide,
    chunk: z.number().int().positive().optional().describe('rows per fingerprinted chunk'),
    recheck_after: duration.optional().describe('delay before a differing chunk is read again'),
    ...replicaLagLimits.shape,
  })
  .strict();

export const checkBody = z.union([sqlCheck, runCheck, z.object({ compare: compareBody }).strict()]);

export const waitBody = z
  .object({
    conn: connName.optional(),
    sql: z.string().optional(),
    run: runBody.optional(),
    until: expectMap,
    every: duration.optional(),
    timeout: duration.optional(),
  })
  .strict();

export const backfillBody = z
  .object({
    conn: connName.optional().describe('connection of the source table (and of the target unless `into`)'),
    into: connName.optional().describe('target connection when it differs from `conn`'),
    from: z.string().describe('source table'),
    key: z.union([z.string(), z.array(z.string()).min(1)]),
    batch: z.union([z.number().int().positive(), z.string()]).optional(),
    sql: z.string().describe('copies one key range: :lo exclusive, :hi inclusive'),
    skipped: z
      .string()
      .max(200)
      .optional()
      .describe('why a source row the copy passes over is not copied, for the output and the report (default: already there)'),
    target: duration.optional().describe('target batch duration (default 500ms)'),
    lock_timeout: duration.optional(),
    statement_timeout: duration.optional(),
    throttle: z.union([sqlCheck, runCheck]).optional(),
    ...replicaLagLimits.shape,
  })
  .strict();

export const soakBody = z
  .object({
    for: duration.describe('how long the checks must keep passing'),
    every: duration.optional().describe('how often the checks run while the run is attached (default 10m)'),
    checks: z.array(checkBody).min(1).describe('check bodies; one failing evaluation fails the step'),
  })
  .strict();

const kindShape = {
  run: runBody
    .optional()
    .describe('a command: an argv list (no shell) or { argv | shell, cwd, env, expect }'),
  sql: sqlBody.optional().describe('SQL text, or { conn, text | file, transaction, rows }'),
  check: checkBody.optional().describe('{ conn, sql, expect } or { run, expect } or { compare }'),
  wait: waitBody.optional().describe('a check polled every `every` until `until` holds or `timeout`'),
  manual: z.string().optional().describe('Markdown instruction the operator signs off'),
  backfill: backfillBody.optional().describe('batched, resumable copy of a key range at a time'),
  compare: compareBody.optional().describe('counts and chunk checksums of two tables or queries'),
};

export const stepKinds = ['run', 'sql', 'check', 'wait', 'manual', 'backfill', 'compare', 'soak'] as const;
export type StepKind = (typeof stepKinds)[number];

// A step body of any kind but soak, without the common fields: used by `rollback`.
export const stepBody = z.object(kindShape).strict();

export const retries = z
  .object({
    attempts: z.number().int().min(1).max(100),
    backoff: duration.optional(),
  })
  .strict();

export const lintAllowance = z
  .object({
    allow: z.array(z.enum(sqlRuleNames)).min(1).describe('SQL safety rules this step may break'),
    reason: z.string().trim().min(1).describe('why it is safe here; shown by lint and on the report'),
  })
  .strict();

export const step = z
  .object({
    id: identifier.describe('unique in the runbook, [a-z0-9-]+'),
    title: z.string().optional(),
    description: z.string().optional().describe('Markdown'),
    ...kindShape,
    soak: soakBody
      .optional()
      .describe('checks that must keep passing for a time (`for`), run every `every`; ended early by a sign-off'),
    timeout: duration.optional(),
    retries: retries.optional().describe('attempts with exponential backoff'),
    confirm: z
      .union([z.boolean(), z.string().min(1)])
      .optional()
      .describe('ask before running: true, or a phrase the operator must type'),
    verify: checkBody.optional().describe('a check run after the step succeeds'),
    rollback: stepBody.optional().describe('a step body that undoes this step'),
    idempotent: z.boolean().optional().describe('safe to re-run after an interruption without asking'),
    rows: rowsGuard.optional().describe('sql steps: abort the transaction when the rows affected are out of bounds'),
    probe: checkBody.optional().describe('a check that tells whether the step already took effect'),
    point_of_no_return: z
      .boolean()
      .optional()
      .describe('rolling back past this step needs more than reversing steps'),
    recheck: z
      .boolean()
      .optional()
      .describe('check and compare steps: `stepwise check RUN` runs it again later, to tell the migration still holds'),
    lint: lintAllowance.optional().describe('silence named `stepwise lint` SQL rules for this step, with the reason'),
  })
  .strict();

export const gate = z
  .object({
    signoff: z.union([z.boolean(), z.object({ count: z.number().int().min(1).max(5) }).strict()]).optional(),
    checks: z.array(checkBody).optional(),
  })
  .strict();

export const phase = z
  .object({
    id: identifier,
    title: z.string().optional(),
    description: z.string().optional(),
    steps: z.array(step).min(1),
    gate: gate.optional().describe('checks and/or sign-off required before the next phase'),
  })
  .strict();

export const variable = z
  .object({
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    description: z.string().optional(),
    prompt: z.string().optional().describe('asked at start when no value is given'),
    env: z.string().optional().describe('environment variable the value is read from'),
    secret: z.boolean().optional().describe('never shown, journaled or logged'),
  })
  .strict();

export const connection = z
  .object({
    url: z
      .union([
        z.string().regex(postgresUrlPattern, 'must start with postgres:// or postgresql://'),
        z.object({ env: z.string() }).strict(),
      ])
      .optional()
      .describe('postgres:// URL, or { env: NAME } to read it from the environment'),
    embedded: identifier.optional().describe('PGlite data directory name under the state dir'),
    production: z.boolean().optional().describe('PRODUCTION badge; mutating steps need confirm'),
    expect: z
      .object({
        database: z
          .string()
          .optional()
          .describe('database name; templates allowed ("{{ vars.database }}"); empty: not checked'),
        server_version: z
          .string()
          .optional()
          .describe('"15" (any 15.x), "15.4", or a range: ">=15 <19"'),
        primary: z.boolean().optional().describe('true: refuse a replica (a server in recovery)'),
        system_identifier: z.string().optional(),
      })
      .strict()
      .optional()
      .describe('checked before the first step: the run refuses any other server'),
  })
  .strict();

export const notifyEvents = [
  'waiting',
  'step.failed',
  'soak.ended',
  'soak.failed',
  'window.80',
  'window.100',
  'run.finished',
  'run.rolled_back',
] as const;

// Who hears of a run's moments: a command (argv, no shell; the event in STEPWISE_* variables) or
// a webhook (POST JSON with a `text` field) whose URL is in an environment variable.
export const notifyRule = z
  .object({
    on: z.array(z.enum(notifyEvents)).min(1).describe('the events that notify'),
    run: z.array(z.string()).min(1).optional().describe('argv, run without a shell'),
    webhook: z
      .object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) })
      .strict()
      .optional()
      .describe('POST JSON to the URL in this environment variable'),
  })
  .strict();

export const runbook = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).describe('runbook format version: 1'),
    name: identifier.describe('[a-z0-9-]+, names the run ids and locks'),
    title: z.string().optional(),
    description: z.string().optional().describe('Markdown, shown in the TUI'),
    window: z
      .object({
        budget: duration.optional(),
        rollback_budget: duration.optional(),
        rollback_within: duration
          .optional()
          .describe('how long after the point of no return (or the end) a rollback is allowed, e.g. 7d'),
      })
      .strict()
      .optional()
      .describe('maintenance window, shown as a timer; how long a rollback stays allowed'),
    notify: z
      .array(notifyRule)
      .optional()
      .describe('commands or webhooks told when a run waits for a person, fails, ends a soak, nears its window or ends'),
    vars: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), variable)
      .optional()
      .describe('variables: {{ vars.NAME }} in text, :NAME bound in SQL'),
    connections: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), connection)
      .optional()
      .describe('databases the steps run on, by name'),
    demo: z
      .object({ conn: connName.optional(), file: z.string().optional(), text: z.string().optional() })
      .strict()
      .optional()
      .describe('demo data generator, run by `stepwise demo` on the embedded database'),
    phases: z.array(phase).min(1).describe('ordered groups of steps'),
  })
  .strict();

export type Runbook = z.infer<typeof runbook>;
export type Phase = z.infer<typeof phase>;
export type Step = z.infer<typeof step>;
export type StepBody = z.infer<typeof stepBody>;
export type RunBody = z.infer<typeof runBody>;
export type SqlBody = z.infer<typeof sqlBody>;
export type SqlCheck = z.infer<typeof sqlCheck>;
export type RunCheck = z.infer<typeof runCheck>;
export type CheckBody = z.infer<typeof checkBody>;
export type WaitBody = z.infer<typeof waitBody>;
export type BackfillBody = z.infer<typeof backfillBody>;
export type CompareBody = z.infer<typeof compareBody>;
export type SoakBody = z.infer<typeof soakBody>;
export type NotifyRule = z.infer<typeof notifyRule>;
export type NotifyEvent = (typeof notifyEvents)[number];
export type CompareSide = z.infer<typeof compareSide>;
export type ReplicaLagLimits = z.infer<typeof replicaLagLimits>;
export type ExpectMap = z.infer<typeof expectMap>;
export type ExpectValue = z.infer<typeof expectValue>;
export type Gate = z.infer<typeof gate>;
export type Variable = z.infer<typeof variable>;
export type Connection = z.infer<typeof connection>;
