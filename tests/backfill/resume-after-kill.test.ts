import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { openConnections } from '../../src/db/open-connections.js';
import { databaseKinds, noServer } from '../helpers/databases.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { batchEvents, tempDir } from './step-context.js';

const child = join(import.meta.dirname, 'backfill-child.ts');
const rowsInTable = 30_000;

interface Target {
  url?: string;
  stateDir: string;
  query<T = Record<string, unknown>>(text: string): Promise<T[]>;
}

// PGlite is one process: the test opens the data directory only while no child has it.
async function targetFor(stateDir: string, scratch?: ScratchDatabase): Promise<Target> {
  if (scratch) return { url: scratch.url, stateDir, query: (text) => scratch.query(text) };
  return {
    stateDir,
    query: async <T>(text: string) => {
      const conns = await openConnections({ connections: { app: { embedded: 'kill' } }, stateDir, env: {} });
      try {
        return (await conns.app.query<T>(text)).rows;
      } finally {
        await conns.app.close();
      }
    },
  };
}

function start(target: Target, journalPath: string, attempt: number) {
  const spec = { url: target.url, stateDir: target.stateDir, journalPath, attempt };
  return execa(process.execPath, ['--import', 'tsx', child], {
    env: { BF_CHILD: JSON.stringify(spec) },
    reject: false,
    buffer: true,
  });
}

describe.each(databaseKinds)('kill -9 during a backfill on %s', (kind) => {
  let scratch: ScratchDatabase | undefined;
  afterEach(async () => {
    await scratch?.drop();
  });

  it.skipIf(noServer(kind))('resumes after the last committed batch and ends with equal tables', async () => {
    const stateDir = tempDir('stepwise-bf-kill-');
    const journalPath = join(stateDir, 'journal.jsonl');
    scratch = kind === 'postgres' ? await createScratchDatabase('bfkill') : undefined;
    const target = await targetFor(stateDir, scratch);
    await target.query('CREATE TABLE bf_src (id int PRIMARY KEY, v text)');
    await target.query('CREATE TABLE bf_dst (id int PRIMARY KEY, v text)');
    await target.query(`INSERT INTO bf_src SELECT g, md5(g::text) FROM generate_series(1, ${rowsInTable}) g`);

    const first = start(target, journalPath, 1);
    first.stdout!.on('data', (chunk: Buffer) => {
      if (/^batch 20:/m.test(chunk.toString())) first.kill('SIGKILL');
    });
    const killed = await first;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).not.toContain('RESULT');
    const journaled = batchEvents(journalPath, 'copy').length;
    const [checkpoint] = await target.query<{ batch: number; hi: string[] }>(
      'SELECT batch, hi FROM stepwise.backfill_checkpoint',
    );
    // The commit may be one batch ahead of the journal: killed between the two.
    expect(checkpoint.batch - journaled).toBeGreaterThanOrEqual(0);
    expect(checkpoint.batch - journaled).toBeLessThanOrEqual(1);
    expect(checkpoint.batch).toBeLessThan(rowsInTable / 100);

    const second = await start(target, journalPath, 2);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toContain(`resuming after batch ${checkpoint.batch} (key ${checkpoint.hi[0]})`);
    const firstCopied = second.stdout.match(/^batch (\d+): (\d+)\.\./m)!;
    expect(Number(firstCopied[1])).toBe(checkpoint.batch + 1);
    expect(Number(firstCopied[2])).toBe(Number(checkpoint.hi[0]) + 1);
    expect(second.stdout).toContain('RESULT {"ok":true');

    const batches = batchEvents(journalPath, 'copy');
    expect(batches.map((b) => b.batch)).toEqual(batches.map((_, i) => i + 1));
    for (let i = 1; i < batches.length; i++) expect(batches[i].lo).toBe(batches[i - 1].hi);
    // Nothing was copied twice: a repeated batch would show up as skipped rows.
    expect(batches.reduce((n, b) => n + b.rows, 0)).toBe(rowsInTable);
    expect(batches.reduce((n, b) => n + b.skipped, 0)).toBe(0);
    const digest = (t: string) =>
      `SELECT count(*)::int AS n, md5(string_agg(id || ':' || v, ',' ORDER BY id)) AS h FROM ${t}`;
    expect(await target.query(digest('bf_dst'))).toEqual(await target.query(digest('bf_src')));
  });
});
