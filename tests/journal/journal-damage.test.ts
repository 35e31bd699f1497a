import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FileJournal, readJournal } from '../../src/journal/file-journal.js';
import { replay } from '../../src/journal/reducer.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { recordRun } from './recorded-run.js';

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').slice(0, -1);
}

describe('a journal damaged by a crash or by hand', () => {
  it('ignores a torn last line with a warning, cuts it on open, and continues the chain', () => {
    const { journalPath, events } = recordRun(tempStateDir('stepwise-torn-'), { upTo: 10 });
    const intact = readFileSync(journalPath);
    appendFileSync(journalPath, '{"seq":11,"ts":"2026-11-23T02:00:23.000Z","type":"gate.sig');

    const read = readJournal(journalPath);
    expect(read.events).toHaveLength(10);
    expect(read.problems).toEqual([]);
    expect(read.tornTail).toEqual({ line: 11, message: expect.stringContaining('torn last line') });

    const { journal } = FileJournal.open(journalPath);
    expect(readFileSync(journalPath)).toEqual(intact);
    journal.append({
      type: 'gate.signed',
      phase: 'pre-migration',
      operator: 'alice',
      note: 'after the crash',
    });
    journal.close();
    const after = readJournal(journalPath);
    expect(after.problems).toEqual([]);
    expect(after.tornTail).toBeUndefined();
    expect(after.events.map((e) => e.seq)).toEqual([...events.slice(0, 10).map((e) => e.seq), 11]);
  });

  it('gives a complete last line without its newline one before appending', () => {
    const { journalPath } = recordRun(tempStateDir('stepwise-torn-'), { upTo: 4 });
    const text = readFileSync(journalPath, 'utf8');
    writeFileSync(journalPath, text.slice(0, -1));
    expect(readJournal(journalPath).events).toHaveLength(4);

    const { journal } = FileJournal.open(journalPath);
    journal.append({ type: 'step.started', step: 'no-orphans', attempt: 1, operator: 'alice', log: '' });
    journal.close();
    const after = readJournal(journalPath);
    expect(after.problems).toEqual([]);
    expect(after.events).toHaveLength(5);
  });

  it('finds a flipped byte by its line number, as one problem', () => {
    const { journalPath } = recordRun(tempStateDir('stepwise-flip-'));
    const text = lines(journalPath);
    expect(text[1]).toContain('"attempt":1');
    text[1] = text[1].replace('"attempt":1', '"attempt":7');
    writeFileSync(journalPath, `${text.join('\n')}\n`);

    const read = readJournal(journalPath);
    expect(read.problems).toEqual([{ line: 2, message: expect.stringContaining('hash mismatch') }]);
  });

  it('reports a line that is no longer JSON once, then checks the rest again', () => {
    const { journalPath, events } = recordRun(tempStateDir('stepwise-flip-'));
    const text = lines(journalPath);
    text[4] = text[4].replace('{', '[');
    writeFileSync(journalPath, `${text.join('\n')}\n`);

    const read = readJournal(journalPath);
    expect(read.problems).toEqual([{ line: 5, message: 'not valid JSON' }]);
    expect(read.events).toHaveLength(events.length - 1);
    expect(read.lines.slice(3, 6)).toEqual([4, 6, 7]);
  });

  it('finds a deleted line as a broken chain and a gap in the sequence', () => {
    const { journalPath } = recordRun(tempStateDir('stepwise-flip-'));
    const text = lines(journalPath);
    text.splice(6, 1);
    writeFileSync(journalPath, `${text.join('\n')}\n`);

    const read = readJournal(journalPath);
    expect(read.problems).toEqual([
      { line: 7, message: expect.stringContaining('hash chain broken') },
      { line: 7, message: 'sequence 8, expected 7' },
    ]);
  });

  it('replays a long journal without copying it over and over', () => {
    const { events } = recordRun(tempStateDir('stepwise-long-'), { upTo: 19 });
    const batch = events.find((e) => e.type === 'batch.committed')!;
    const long = [...events];
    for (let i = 0; i < 100_000; i++) long.push({ ...batch, seq: long.length + 1 });
    const state = replay(long)!;
    expect(state.steps['copy-tasks'].batches.count).toBe(100_002);
  });
});
