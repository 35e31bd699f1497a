import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import { ParsedSqlCache } from '../../src/runbook/parsed-sql-cache.js';
import { RunbookInvalidError } from '../../src/runbook/runbook-invalid-error.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { runbookWith, writeRunbook } from './write-runbook.js';

const steps = (sql: string) =>
  `      - id: count\n        check: { sql: "SELECT count(*) AS n FROM tasks", expect: { n: 0 } }\n      - id: change\n        sql: ${sql}\n`;

async function refusal(path: string, parsedSql: ParsedSqlCache): Promise<string[]> {
  try {
    await loadRunbook(path, { parsedSql });
  } catch (error) {
    if (error instanceof RunbookInvalidError) return error.diagnostics.map((d) => `${d.line}:${d.col} ${d.rule}`);
    throw error;
  }
  return [];
}

describe('SQL that parsed before is not parsed again (plan skips the parser)', () => {
  it('remembers every SQL text that parsed, in the state dir, and knows it next time', async () => {
    const file = join(tempStateDir('stepwise-parsed-'), 'parsed-sql.json');
    const path = writeRunbook(runbookWith(steps("UPDATE tasks SET kind = 'x' WHERE id = 1")));
    const first = new ParsedSqlCache(file);
    expect(first.has('SELECT count(*) AS n FROM tasks', 'statements')).toBe(false);
    await loadRunbook(path, { parsedSql: first });
    await first.save();
    const again = new ParsedSqlCache(file);
    expect(again.has('SELECT count(*) AS n FROM tasks', 'statements')).toBe(true);
    expect(again.has("UPDATE tasks SET kind = 'x' WHERE id = 1", 'statements')).toBe(true);
    // Only texts: the file holds hashes, never SQL.
    expect(readFileSync(file, 'utf8')).not.toContain('tasks');
  });

  it('still refuses SQL that changed and no longer parses, at file:line:col', async () => {
    const file = join(tempStateDir('stepwise-parsed-'), 'parsed-sql.json');
    const good = new ParsedSqlCache(file);
    await loadRunbook(writeRunbook(runbookWith(steps('DELETE FROM tasks WHERE id = 1'))), { parsedSql: good });
    await good.save();
    const cache = new ParsedSqlCache(file);
    expect(await refusal(writeRunbook(runbookWith(steps('DELET FROM tasks WHERE id = 1'))), cache)).toEqual([
      '11:14 sql-syntax',
    ]);
  });

  it('ignores a damaged file or one written for another parser version', async () => {
    const file = join(tempStateDir('stepwise-parsed-'), 'parsed-sql.json');
    const cache = new ParsedSqlCache(file);
    cache.add('SELECT 1', 'statements');
    await cache.save();
    const written = JSON.parse(readFileSync(file, 'utf8')) as { parser: string; keys: string[] };
    writeFileSync(file, JSON.stringify({ ...written, parser: '0.0.1' }));
    expect(new ParsedSqlCache(file).has('SELECT 1', 'statements')).toBe(false);
    writeFileSync(file, '{"parser":');
    expect(new ParsedSqlCache(file).has('SELECT 1', 'statements')).toBe(false);
  });
});
