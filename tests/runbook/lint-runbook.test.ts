import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/engine/build-plan.js';
import { lintRunbook } from '../../src/runbook/lint-runbook.js';
import { runbookWith, writeRunbook } from './write-runbook.js';

async function lint(
  steps: string,
  options: { head?: string; files?: Record<string, string>; env?: NodeJS.ProcessEnv } = {},
) {
  const path = writeRunbook(runbookWith(steps, options.head), options.files);
  const { diagnostics } = await lintRunbook(path, { env: options.env ?? {} });
  return diagnostics.map((d) => ({
    ...d,
    file: d.file === path ? 'runbook.yaml' : d.file.slice(path.length - 'runbook.yaml'.length),
  }));
}

async function rules(steps: string, options: Parameters<typeof lint>[1] = {}) {
  return (await lint(steps, options)).map((d) => d.rule);
}

// One sql step with the given statement(s), guarded so only the rule under test fires.
function sqlStep(sql: string, extra = '        confirm: true\n') {
  return `      - id: change\n${extra}        sql: |\n${sql
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n')}\n`;
}

const withTimeout = (sql: string) => `SET LOCAL lock_timeout = '5s';\n${sql}`;

describe('stepwise lint: SQL safety warnings from the PostgreSQL parser', () => {
  it('places a warning on the line of the statement inside the YAML block', async () => {
    const diagnostics = await lint(
      sqlStep(withTimeout('SELECT 1;\nCREATE INDEX tasks_status ON tasks (status);')),
    );
    expect(diagnostics).toEqual([
      {
        file: 'runbook.yaml',
        line: 13,
        col: 11,
        severity: 'warning',
        rule: 'index-concurrently',
        message:
          'CREATE INDEX without CONCURRENTLY blocks writes to tasks while it builds; use CREATE INDEX CONCURRENTLY in a step with transaction: false',
      },
    ]);
  });

  it('names a table given by a template as the runbook writes it', async () => {
    const diagnostics = await lint(
      sqlStep(withTimeout('CREATE INDEX tasks_status ON {{ ident vars.schema }}.tasks (status);')),
      { head: 'vars:\n  schema: { default: app }\n' },
    );
    expect(diagnostics.map((d) => d.message)).toEqual([
      'CREATE INDEX without CONCURRENTLY blocks writes to {{ ident vars.schema }}.tasks while it builds; use CREATE INDEX CONCURRENTLY in a step with transaction: false',
    ]);
  });

  it('places a warning in a sql file at file:line:col', async () => {
    const diagnostics = await lint(
      '      - id: change\n        confirm: true\n        sql: { file: sql/change.sql }\n',
      {
        files: { 'sql/change.sql': "SET lock_timeout = '5s';\n\n  UPDATE tasks SET status = 'done';\n" },
      },
    );
    expect(diagnostics.map((d) => [d.file, d.line, d.col, d.rule])).toEqual([
      ['sql/change.sql', 3, 3, 'missing-where'],
    ]);
  });

  it('index-concurrently: CREATE/DROP INDEX without CONCURRENTLY, not on a table created alongside', async () => {
    expect(await rules(sqlStep(withTimeout('DROP INDEX tasks_status;')))).toEqual(['index-concurrently']);
    expect(await rules(sqlStep('CREATE TABLE q (id int);\nCREATE INDEX q_id ON q (id);'))).toEqual([]);
  });

  it('concurrently-in-transaction: CONCURRENTLY in a sql step that runs in a transaction', async () => {
    const sql = withTimeout('CREATE INDEX CONCURRENTLY tasks_status ON tasks (status);');
    expect(await rules(sqlStep(sql))).toEqual(['concurrently-in-transaction']);
    const outside = `      - id: change\n        confirm: true\n        sql:\n          transaction: false\n          text: CREATE INDEX CONCURRENTLY tasks_status ON tasks (status)\n`;
    expect(await rules(outside)).toEqual([]);
  });

  it('constraint-not-valid: FOREIGN KEY and CHECK validated under lock, unless NOT VALID', async () => {
    const added = withTimeout(
      'ALTER TABLE tasks ADD CONSTRAINT tasks_parent FOREIGN KEY (parent_id) REFERENCES tasks (id);\nALTER TABLE tasks ADD CONSTRAINT positive CHECK (id > 0);',
    );
    expect(await rules(sqlStep(added))).toEqual(['constraint-not-valid', 'constraint-not-valid']);
    const notValid = withTimeout(
      'ALTER TABLE tasks ADD CONSTRAINT tasks_parent FOREIGN KEY (parent_id) REFERENCES tasks (id) NOT VALID;',
    );
    expect(await rules(sqlStep(notValid))).toEqual([]);
  });

  it('set-not-null, volatile-default and alter-column-type', async () => {
    expect(await rules(sqlStep(withTimeout('ALTER TABLE tasks ALTER COLUMN kind SET NOT NULL;')))).toEqual([
      'set-not-null',
    ]);
    expect(
      await rules(sqlStep(withTimeout('ALTER TABLE tasks ADD COLUMN uid uuid DEFAULT gen_random_uuid();'))),
    ).toEqual(['volatile-default']);
    expect(await rules(sqlStep(withTimeout('ALTER TABLE tasks ADD COLUMN seq bigserial;')))).toEqual([
      'volatile-default',
    ]);
    expect(
      await rules(sqlStep(withTimeout("ALTER TABLE tasks ADD COLUMN state text DEFAULT 'new';"))),
    ).toEqual([]);
    expect(await rules(sqlStep(withTimeout('ALTER TABLE tasks ALTER COLUMN id TYPE bigint;')))).toEqual([
      'alter-column-type',
    ]);
  });

  it('set-not-null: not after a CHECK (col IS NOT NULL) added NOT VALID and validated, as the warning advises', async () => {
    const check = "ALTER TABLE tasks ADD CONSTRAINT kind_nn CHECK (kind IS NOT NULL) NOT VALID;";
    const validate = 'ALTER TABLE tasks VALIDATE CONSTRAINT kind_nn;';
    const setNotNull = 'ALTER TABLE tasks ALTER COLUMN kind SET NOT NULL;';
    // Earlier statements of the same SQL.
    expect(await rules(sqlStep(withTimeout(`${check}\n${validate}\n${setNotNull}`)))).toEqual([]);
    // Earlier steps of the runbook.
    const steps = [check, validate, setNotNull]
      .map((sql, i) => sqlStep(withTimeout(sql)).replace('id: change', `id: change-${i}`))
      .join('');
    expect(await rules(steps)).toEqual([]);
    // Not validated, another column, another table, or only in a rollback: the scan stays.
    expect(await rules(sqlStep(withTimeout(`${check}\n${setNotNull}`)))).toEqual(['set-not-null']);
    const otherColumn = setNotNull.replace('kind', 'owner');
    expect(await rules(sqlStep(withTimeout(`${check}\n${validate}\n${otherColumn}`)))).toEqual(['set-not-null']);
    const otherTable = setNotNull.replace('tasks', 'jobs');
    expect(await rules(sqlStep(withTimeout(`${check}\n${validate}\n${otherTable}`)))).toEqual(['set-not-null']);
    const inRollback =
      sqlStep(withTimeout('SELECT 1;'), `        confirm: true\n        rollback:\n          sql: "${withTimeout(check)} ${validate}"\n`) +
      sqlStep(withTimeout(setNotNull)).replace('id: change', 'id: later');
    expect(await rules(inRollback)).toEqual(['set-not-null']);
  });

  it('destructive-statement: DROP TABLE, TRUNCATE, DROP COLUMN belong in cleanup with confirm or rollback', async () => {
    const drop = 'DROP TABLE legacy_tasks;';
    const [warning] = await lint(sqlStep(withTimeout(drop), ''));
    expect(warning.rule).toBe('destructive-statement');
    expect(warning.message).toBe(
      'DROP TABLE legacy_tasks destroys data outside the cleanup phase; move it to a phase whose id or title contains "cleanup" and give the step confirm: (or a rollback:)',
    );
    expect(await rules(sqlStep(withTimeout('TRUNCATE legacy_tasks;')))).toEqual(['destructive-statement']);
    expect(await rules(sqlStep(withTimeout('ALTER TABLE tasks DROP COLUMN legacy;')))).toEqual([
      'destructive-statement',
    ]);

    const cleanup = (extra: string) =>
      `      - id: first\n        manual: ok\n  - id: cleanup\n    title: Cleanup\n    steps:\n${sqlStep(withTimeout(drop), extra).replace('id: change', 'id: drop')}`;
    expect(await rules(cleanup(''))).toEqual(['destructive-statement']);
    expect(await rules(cleanup('        confirm: drop legacy_tasks\n'))).toEqual([]);
  });

  it('missing-where: UPDATE or DELETE without WHERE; text that only mentions it is not SQL', async () => {
    expect(await rules(sqlStep('DELETE FROM tasks;'))).toEqual(['missing-where']);
    expect(
      await rules(sqlStep("SELECT 'DELETE FROM tasks; DROP TABLE tasks' -- UPDATE tasks SET x = 1")),
    ).toEqual([]);
  });

  it('production-confirm: a mutating step on a production connection without confirm or rollback', async () => {
    const prod = (steps: string) =>
      lintRunbook(
        writeRunbook(
          runbookWith(steps).replace('{ embedded: demo }', '{ embedded: demo, production: true }'),
        ),
        {
          env: {},
        },
      );
    const { diagnostics } = await prod(sqlStep("UPDATE tasks SET status = 'done' WHERE id = 1;", ''));
    expect(diagnostics.map((d) => d.rule)).toEqual(['production-confirm']);
    expect(diagnostics[0].message).toBe(
      'step "change" changes a production database with neither confirm: nor rollback:; add confirm: true (or a phrase to type)',
    );
    const readOnly = await prod(sqlStep('SELECT count(*) FROM tasks;', ''));
    expect(readOnly.diagnostics).toEqual([]);
  });

  it('lock-timeout: DDL without SET lock_timeout in the same SQL', async () => {
    const [warning] = await lint(sqlStep("ALTER TABLE tasks ADD COLUMN note text DEFAULT 'x';"));
    expect(warning.rule).toBe('lock-timeout');
    expect(warning.message).toBe(
      "ALTER TABLE tasks without SET lock_timeout can wait behind a long transaction while every query on the table queues behind it; start the SQL with SET LOCAL lock_timeout = '5s'",
    );
    expect(await rules(sqlStep(withTimeout("ALTER TABLE tasks ADD COLUMN note text DEFAULT 'x';")))).toEqual(
      [],
    );
  });

  it('backfill-idempotent: a backfill INSERT needs ON CONFLICT or NOT EXISTS', async () => {
    const backfill = (sql: string) =>
      `      - id: copy\n        backfill:\n          from: tasks\n          key: id\n          sql: ${sql}\n`;
    expect(await rules(backfill('INSERT INTO q SELECT * FROM tasks WHERE id > :lo AND id <= :hi'))).toEqual([
      'backfill-idempotent',
    ]);
    expect(
      await rules(
        backfill(
          'INSERT INTO q SELECT * FROM tasks WHERE id > :lo AND id <= :hi ON CONFLICT (id) DO NOTHING',
        ),
      ),
    ).toEqual([]);
    expect(
      await rules(
        backfill(
          'INSERT INTO q SELECT * FROM tasks t WHERE id > :lo AND id <= :hi AND NOT EXISTS (SELECT 1 FROM q WHERE q.id = t.id)',
        ),
      ),
    ).toEqual([]);
  });

  it('env-unset: environment variables the runbook reads that are not set now', async () => {
    const head = 'vars:\n  token: { env: LINT_TOKEN, secret: true, default: "dev-token" }\n';
    const path = writeRunbook(
      runbookWith('      - id: hello\n        run: [echo, hi]\n', head).replace(
        'app: { embedded: demo }',
        'app: { url: { env: LINT_DB }, embedded: demo }',
      ),
    );
    const unset = await lintRunbook(path, { env: {} });
    expect(unset.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      '4:17 variable "token": $LINT_TOKEN is not set; it will use the default',
      '6:22 connection "app": $LINT_DB is not set; the run will use the embedded PGlite database "demo", not a server',
    ]);
    const set = await lintRunbook(path, { env: { LINT_TOKEN: 'x', LINT_DB: 'postgres://h/db' } });
    expect(set.diagnostics).toEqual([]);
    expect(set.loaded?.runbook.name).toBe('example');
  });

  it('a step may allow named rules with a reason: lint shows the allowance instead of the warning', async () => {
    const allow = (rules: string, reason = '          reason: "the table has 40 rows"\n') =>
      sqlStep(withTimeout('ALTER TABLE tasks ALTER COLUMN kind SET NOT NULL;\nCREATE INDEX t_kind ON tasks (kind);'), `        confirm: true\n        lint:\n          allow: ${rules}\n${reason}`);
    const path = writeRunbook(runbookWith(allow('[set-not-null, index-concurrently]')));
    const { diagnostics, allowed, loaded } = await lintRunbook(path, { env: {} });
    expect(diagnostics).toEqual([]);
    expect(allowed.map((a) => `${a.line}:${a.col} ${a.step} ${a.rule} — ${a.reason} (${a.silenced})`)).toEqual([
      '11:19 change set-not-null — the table has 40 rows (1)',
      '11:33 change index-concurrently — the table has 40 rows (1)',
    ]);
    // The run journals it, for the report.
    expect(buildPlan(loaded!.runbook)[0].steps[0].lint_allowed).toEqual({
      rules: ['set-not-null', 'index-concurrently'],
      reason: 'the table has 40 rows',
    });
    // Only the rules named, only on that step.
    expect(await rules(allow('[set-not-null]'))).toEqual(['index-concurrently']);
    const other = allow('[set-not-null, index-concurrently]') + sqlStep(withTimeout('ALTER TABLE jobs ALTER COLUMN kind SET NOT NULL;')).replace('id: change', 'id: other');
    expect(await rules(other)).toEqual(['set-not-null']);
  });

  it('stepwise lint prints each allowance with its reason and counts it in the summary', async () => {
    const path = writeRunbook(
      runbookWith(
        sqlStep("DELETE FROM scratch_rows;", '        lint: { allow: [missing-where, lock-timeout], reason: "scratch table, emptied each night" }\n'),
      ),
    );
    const result = await execa('node', ['--import', 'tsx', 'src/cli/main.ts', 'lint', path], { reject: false });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `${path}:9:25: allowed: missing-where — scratch table, emptied each night`,
      `${path}:9:40: allowed: lock-timeout — scratch table, emptied each night (nothing to silence)`,
    ]);
    expect(result.stderr).toBe('1 runbook checked: 0 errors, 0 warnings, 2 allowed (ok)');
  }, 30_000);

  it('an allowance names known rules and gives a reason, or the runbook is refused at file:line:col', async () => {
    const allow = (lint: string) => sqlStep('SELECT 1;', `        confirm: true\n        lint: ${lint}\n`);
    const unknown = await lint(allow('{ allow: [set-not-nul], reason: "small table" }'));
    expect(unknown.map((d) => `${d.line}:${d.col} ${d.severity} ${d.rule}`)).toEqual(['10:25 error schema']);
    expect(unknown[0].message).toMatch(/set-not-nul.*set-not-null|set-not-null.*set-not-nul/);
    const noReason = await lint(allow('{ allow: [set-not-null] }'));
    expect(noReason.map((d) => `${d.line}:${d.col} ${d.severity} ${d.rule}: ${d.message}`)).toEqual([
      expect.stringMatching(/^10:15 error schema: .*reason/),
    ]);
    const blankReason = await lint(allow('{ allow: [set-not-null], reason: " " }'));
    expect(blankReason.map((d) => d.severity)).toEqual(['error']);
  });

  it('reports SQL syntax errors in the same pass as schema errors, each at file:line:col', async () => {
    const steps =
      '      - id: typo\n        retries: 3\n        run: [echo, hi]\n' +
      sqlStep('SELEC 1;').replace('id: change', 'id: broken') +
      '      - id: from-file\n        sql: { file: sql/broken.sql }\n';
    const diagnostics = await lint(steps, { files: { 'sql/broken.sql': 'SELECT 1;\nUPDATE SET x = 1;\n' } });
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.rule}: ${d.message}`)).toEqual([
      expect.stringMatching(/^runbook\.yaml:9:18 schema: step "typo": retries/),
      'runbook.yaml:14:11 sql-syntax: step "broken": SQL does not parse: syntax error at or near "SELEC"; fix the SQL',
      'sql/broken.sql:2:14 sql-syntax: step "from-file": SQL does not parse: syntax error at or near "="; fix the SQL',
    ]);
  });

  it('reports load errors as errors and no warnings', async () => {
    const diagnostics = await lint(sqlStep('SELEC 1;'));
    expect(diagnostics).toEqual([
      {
        file: 'runbook.yaml',
        line: 11,
        col: 11,
        severity: 'error',
        rule: 'sql-syntax',
        message: 'step "change": SQL does not parse: syntax error at or near "SELEC"; fix the SQL',
      },
    ]);
  });
});
