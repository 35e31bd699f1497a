import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import { RunbookInvalidError } from '../../src/runbook/runbook-invalid-error.js';
import { runbookWith, writeRunbook } from './write-runbook.js';

async function errorsOf(path: string): Promise<string[]> {
  try {
    await loadRunbook(path);
  } catch (error) {
    if (error instanceof RunbookInvalidError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the runbook loaded');
}

describe('loading a runbook', () => {
  it('refuses a runbook over 1 MB before parsing it, and reports thousands of unknown keys each at its line', async () => {
    const huge = writeRunbook(`${runbookWith('      - id: a\n        run: [echo, hi]')}# ${'x'.repeat(1_000_001)}\n`);
    const [refused] = await errorsOf(huge);
    expect(refused).toMatch(/:1:1: the runbook is 1\.0 MB, more than the 1 MB a runbook may be; keep long SQL in files/);

    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    const steps = '      - id: a\n        run: [echo, hi]\n';
    const many = await errorsOf(writeRunbook(`${runbookWith(steps)}${keys}\n`));
    expect(many).toHaveLength(20_000);
    expect(many.at(-1)).toMatch(/:\d+:1: runbook: unknown field "k19999"/);
  });

  it('keeps the sql files, the source hash and where each step starts', async () => {
    const loaded = await loadRunbook('tests/runbook/fixtures/queue-migration.yaml');
    expect(loaded.path).toBe(join(process.cwd(), 'tests/runbook/fixtures/queue-migration.yaml'));
    expect(loaded.dir).toBe(dirname(loaded.path));
    expect(loaded.sha256).toBe(createHash('sha256').update(loaded.source).digest('hex'));
    expect(Object.keys(loaded.files)).toEqual(['sql/create_queue.sql']);
    expect(loaded.files['sql/create_queue.sql']).toContain('CREATE TABLE task_queue');
    expect(loaded.positions.backup).toEqual({ line: 19, col: 9 });
    expect(loaded.positions['copy-tasks']).toEqual({ line: 42, col: 9 });
    expect(Object.keys(loaded.stepHashes)).toHaveLength(9);
  });

  it('hashes a step the same when only its formatting changes, differently when its sql file changes', async () => {
    const block = runbookWith(
      '      - id: create\n        sql:\n          conn: app\n          file: sql/a.sql\n      - id: other\n        run: [echo, hi]\n',
    );
    const flow = runbookWith(
      '      - id: create\n        sql: { file: sql/a.sql, conn: app }   # same step\n      - id: other\n        run: [ echo, "hi" ]\n',
    );
    const a = await loadRunbook(writeRunbook(block, { 'sql/a.sql': 'SELECT 1' }));
    const b = await loadRunbook(writeRunbook(flow, { 'sql/a.sql': 'SELECT 1' }));
    expect(b.stepHashes).toEqual(a.stepHashes);
    expect(b.sha256).not.toBe(a.sha256);

    const path = writeRunbook(block, { 'sql/a.sql': 'SELECT 1' });
    const before = await loadRunbook(path);
    writeFileSync(join(dirname(path), 'sql/a.sql'), 'SELECT 2');
    const after = await loadRunbook(path);
    expect(after.stepHashes.create).not.toBe(before.stepHashes.create);
    expect(after.stepHashes.other).toBe(before.stepHashes.other);
  });

  it('names the line inside a sql file where its SQL does not parse', async () => {
    const path = writeRunbook(runbookWith('      - id: create\n        sql: { file: sql/create.sql }\n'), {
      'sql/create.sql': 'SET lock_timeout = 1000;\n-- the table\nCREATE TABLE t (id int,);\n',
    });
    expect(await errorsOf(path)).toEqual([
      `${join(dirname(path), 'sql/create.sql')}:3:24: step "create": SQL does not parse: syntax error at or near ")"; fix the SQL`,
    ]);
  });

  it('refuses {{ vars.x }} pasted into a sql file and :name parameters that are not variables', async () => {
    const path = writeRunbook(
      runbookWith(
        '      - id: close\n        sql: { file: sql/close.sql }\n',
        'vars:\n  ticket: { prompt: Ticket }\n',
      ),
      { 'sql/close.sql': "UPDATE t SET note = 'x'\nWHERE id = {{ vars.ticket }};\n" },
    );
    const file = join(dirname(path), 'sql/close.sql');
    expect(await errorsOf(path)).toEqual([
      `${file}:2:12: step "close": {{ vars.ticket }} pastes a value into SQL; bind it as :ticket instead (only {{ ident vars.NAME }} may appear in SQL)`,
    ]);
    writeFileSync(
      file,
      "UPDATE t SET note = ':ticket' -- :ticket\nWHERE id = :ticket AND kind = :kind::text;\n",
    );
    expect(await errorsOf(path)).toEqual([
      `${file}:2:31: step "close": :kind is not a declared variable; declare it under vars: or fix the name (declared: ticket)`,
    ]);
  });

  it('lists every problem of a runbook, one line each, in file order', async () => {
    const path = writeRunbook(
      runbookWith(
        '      - id: one\n        timeout: soon\n        run: [echo, "{{ vars.nope }}"]\n      - id: two\n        sql: SELECT :nope\n        retries: { attempts: 0 }\n',
      ),
    );
    const lines = await errorsOf(path);
    expect(lines).toEqual([
      `${path}:9:18: step "one": timeout must be a duration such as 500ms, 30s, 10m or 1h (got "soon")`,
      `${path}:13:30: step "two": retries.attempts must be at least 1 (got 0)`,
    ]);
  });

  it('finds template and parameter problems after the schema is satisfied', async () => {
    const path = writeRunbook(
      runbookWith(
        '      - id: one\n        run: [echo, "{{ vars.nope }}"]\n      - id: two\n        sql: SELECT :nope\n',
      ),
    );
    expect(await errorsOf(path)).toEqual([
      `${path}:9:22: step "one": {{ vars.nope }} names no declared variable; declare "nope" under vars:`,
      `${path}:11:21: step "two": :nope is not a declared variable; declare it under vars: or fix the name`,
    ]);
  });

  it('accepts {{ ident vars.x }} in SQL and :lo/:hi in a backfill', async () => {
    const loaded = await loadRunbook(
      writeRunbook(
        runbookWith(
          '      - id: copy\n        backfill:\n          from: "{{ vars.table }}"\n          key: id\n          sql: INSERT INTO {{ ident vars.copy }} SELECT * FROM {{ ident vars.table }} WHERE id > :lo AND id <= :hi ON CONFLICT DO NOTHING\n',
          'vars:\n  table: { default: tasks }\n  copy: { default: app.tasks_copy }\n',
        ),
      ),
    );
    expect(loaded.runbook.phases[0].steps[0].backfill?.key).toBe('id');
  });

  it('says so when the runbook file does not exist', async () => {
    expect(await errorsOf('no/such/runbook.yaml')).toEqual([
      'no/such/runbook.yaml:1:1: cannot read the runbook (no such file); check the path',
    ]);
  });
});
