import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import { RunbookInvalidError } from '../../src/runbook/runbook-invalid-error.js';
import { ValidatedRunbookCache } from '../../src/runbook/validated-runbook-cache.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { runbookWith, writeRunbook } from './write-runbook.js';

const steps =
  '      - id: count\n        check: { sql: "SELECT count(*) AS n FROM tasks", expect: { n: 0 } }\n' +
  '      - id: change\n        sql: { file: change.sql }\n';

async function refusal(path: string, validated: ValidatedRunbookCache): Promise<string[]> {
  try {
    await loadRunbook(path, { validated });
  } catch (error) {
    if (error instanceof RunbookInvalidError) return error.diagnostics.map((d) => `${d.line}:${d.col} ${d.rule}`);
    throw error;
  }
  return [];
}

// The one entry of a cache directory, to read or to tamper with.
function entryOf(dir: string): { file: string; data: Record<string, unknown> & { runbook: { title?: string } } } {
  const [name] = readdirSync(dir);
  const file = join(dir, name);
  return { file, data: JSON.parse(readFileSync(file, 'utf8')) };
}

describe('a runbook validated before is not validated again until something changes (plan)', () => {
  it('keeps a runbook that loaded, and gives it back unchanged with its sql files', async () => {
    const dir = join(tempStateDir('stepwise-validated-'), 'validated-runbooks');
    const path = writeRunbook(runbookWith(steps), { 'change.sql': "UPDATE tasks SET kind = 'x' WHERE id = 1;\n" });
    const first = await loadRunbook(path, { validated: new ValidatedRunbookCache(dir) });
    const again = await loadRunbook(path, { validated: new ValidatedRunbookCache(dir) });
    expect(again.runbook).toEqual(first.runbook);
    expect(again.files).toEqual(first.files);
    expect(again.stepHashes).toEqual(first.stepHashes);
    expect(again.sha256).toBe(first.sha256);
    // Hashes, never SQL: the entry names the sql file but does not hold it.
    expect(JSON.stringify(entryOf(dir).data.files)).not.toContain('UPDATE');
  });

  it('takes the runbook from the cache when its source and sql files are the same', async () => {
    const dir = join(tempStateDir('stepwise-validated-'), 'validated-runbooks');
    const path = writeRunbook(runbookWith(steps), { 'change.sql': 'DELETE FROM tasks WHERE id = 1;\n' });
    await loadRunbook(path, { validated: new ValidatedRunbookCache(dir) });
    const { file, data } = entryOf(dir);
    writeFileSync(file, JSON.stringify({ ...data, runbook: { ...data.runbook, title: 'from the cache' } }));
    expect((await loadRunbook(path, { validated: new ValidatedRunbookCache(dir) })).runbook.title).toBe('from the cache');
  });

  it('validates a changed runbook again and refuses it at file:line:col', async () => {
    const dir = join(tempStateDir('stepwise-validated-'), 'validated-runbooks');
    const path = writeRunbook(runbookWith(steps), { 'change.sql': 'DELETE FROM tasks WHERE id = 1;\n' });
    await loadRunbook(path, { validated: new ValidatedRunbookCache(dir) });
    writeFileSync(path, runbookWith(`${steps}        timeout: soon\n`));
    expect(await refusal(path, new ValidatedRunbookCache(dir))).toEqual(['12:18 schema']);
  });

  it('validates again when a sql file changed or is gone', async () => {
    const dir = join(tempStateDir('stepwise-validated-'), 'validated-runbooks');
    const path = writeRunbook(runbookWith(steps), { 'change.sql': 'DELETE FROM tasks WHERE id = 1;\n' });
    await loadRunbook(path, { validated: new ValidatedRunbookCache(dir) });
    const sqlFile = join(dirname(path), 'change.sql');
    writeFileSync(sqlFile, 'DELET FROM tasks WHERE id = 1;\n');
    expect(await refusal(path, new ValidatedRunbookCache(dir))).toEqual(['1:1 sql-syntax']);
  });

  it('ignores an entry of another validator, another path, or a damaged one', async () => {
    const dir = join(tempStateDir('stepwise-validated-'), 'validated-runbooks');
    const path = writeRunbook(runbookWith(steps), { 'change.sql': 'DELETE FROM tasks WHERE id = 1;\n' });
    await loadRunbook(path, { validated: new ValidatedRunbookCache(dir) });
    const { file, data } = entryOf(dir);
    const tampered = { ...data, runbook: { ...data.runbook, title: 'from the cache' } };
    for (const entry of [
      JSON.stringify({ ...tampered, validator: 'another stepwise' }),
      JSON.stringify({ ...tampered, path: '/elsewhere/runbook.yaml' }),
      JSON.stringify({ ...tampered, files: { 'change.sql': 'another hash' } }),
      '{"format":1,',
    ]) {
      writeFileSync(file, entry);
      expect((await loadRunbook(path, { validated: new ValidatedRunbookCache(dir) })).runbook.title).toBeUndefined();
    }
  });

  it('never keeps a runbook that failed', async () => {
    const dir = join(tempStateDir('stepwise-validated-'), 'validated-runbooks');
    const path = writeRunbook(runbookWith(`${steps}        timeout: soon\n`), { 'change.sql': 'SELECT 1;\n' });
    for (let time = 0; time < 2; time++) expect(await refusal(path, new ValidatedRunbookCache(dir))).toEqual(['12:18 schema']);
    expect(existsSync(dir)).toBe(false);
  });
});
