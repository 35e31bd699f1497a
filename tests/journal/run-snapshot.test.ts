import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileJournal, readJournal } from '../../src/journal/file-journal.js';
import { emptyRecord, recordOf } from '../../src/journal/run-record.js';
import {
  keepSnapshots,
  openRunJournal,
  readRun,
  snapshotEvery,
  snapshotPath,
} from '../../src/journal/run-snapshot.js';
import { journalPath as journalOf } from '../../src/journal/state-dir.js';
import { runCli, tempStateDir } from '../helpers/run-cli.js';
import { recordRun } from './recorded-run.js';

// A night's run, then a backfill's worth of progress: more events than one snapshot's span.
function longRun(stateDir: string, runId?: string): string {
  const { journalPath } = recordRun(stateDir, { runId });
  const { journal } = FileJournal.open(journalPath);
  for (let i = 1; i <= snapshotEvery + 500; i++) {
    journal.append({ type: 'step.progress', step: 'copy-tasks', message: `${i * 1000} rows copied` });
  }
  journal.close();
  return journalPath;
}

function appendProgress(journalPath: string, count: number): void {
  const { journal } = FileJournal.open(journalPath);
  for (let i = 1; i <= count; i++) journal.append({ type: 'step.progress', step: 'copy-tasks', message: `late ${i}` });
  journal.close();
}

// The record a reader builds from the whole journal, as `stepwise verify` reads it.
function wholeRecord(journalPath: string) {
  const read = readJournal(journalPath);
  return recordOf(read.events, read.lines);
}

describe('snapshots of a long run', () => {
  it('opens a long run from its snapshot, reading only the events after it, to the same state', () => {
    const journalPath = longRun(tempStateDir('stepwise-snapshot-'));
    const first = readRun(journalPath);
    expect(first.tail.from.seq).toBe(0);
    expect(existsSync(snapshotPath(journalPath))).toBe(true);

    appendProgress(journalPath, 10);
    const second = readRun(journalPath);
    expect(second.tail.from.seq).toBe(first.tail.end!.seq);
    expect(second.tail.events).toHaveLength(10);
    expect(second.tail.lines[0]).toBe(first.tail.end!.line + 1);
    expect(second.record).toEqual(wholeRecord(journalPath));
  });

  it('keeps a snapshot while the engine appends, and resume reads nothing before it', () => {
    const stateDir = tempStateDir('stepwise-snapshot-');
    const { journalPath } = recordRun(stateDir, { upTo: 12 });
    const { journal, record, tail } = openRunJournal(journalPath);
    expect(tail.events).toHaveLength(12);
    for (let i = 1; i <= snapshotEvery + 1; i++)
      journal.append({ type: 'step.progress', step: 'backup', message: `tick ${i}` });
    const kept = readFileSync(snapshotPath(journalPath), 'utf8');
    expect(JSON.parse(kept.split('\n')[0]).point.seq).toBe(12 + snapshotEvery);
    journal.close();
    expect(record.state?.seq).toBe(12);

    const reopened = openRunJournal(journalPath);
    expect(reopened.tail.from.seq).toBe(12 + snapshotEvery + 1);
    expect(reopened.tail.events).toEqual([]);
    expect(reopened.record).toEqual(wholeRecord(journalPath));
    reopened.journal.close();
  });

  it('starts a new run with snapshots from its first event', () => {
    const stateDir = tempStateDir('stepwise-snapshot-');
    const { journalPath, events } = recordRun(stateDir, { upTo: 3 });
    const path = journalOf(stateDir, 'fresh-20261123T020013Z');
    mkdirSync(dirname(path));
    const journal = FileJournal.create(path);
    keepSnapshots(journal, emptyRecord());
    const { seq: _s, ts: _t, prev: _p, hash: _h, ...started } = events[0];
    journal.append(started);
    journal.close();
    expect(readRun(path).tail.from.seq).toBe(1);
    expect(readRun(journalPath).tail.from.seq).toBe(0);
  });

  it('ignores a damaged snapshot and reads the whole journal', () => {
    const journalPath = longRun(tempStateDir('stepwise-snapshot-'));
    readRun(journalPath);
    const snapshot = readFileSync(snapshotPath(journalPath), 'utf8');
    const expected = wholeRecord(journalPath);

    const flipped = snapshot.replace('"attempts":1', '"attempts":7');
    expect(flipped).not.toBe(snapshot);
    for (const damaged of [flipped, snapshot.slice(0, snapshot.length / 2), 'not json\n{}\n', '']) {
      writeFileSync(snapshotPath(journalPath), damaged);
      const read = readRun(journalPath);
      expect(read.tail.from.seq).toBe(0);
      expect(read.record).toEqual(expected);
    }
  });

  it('ignores a stale snapshot: one written by another version, or past the end of a journal cut shorter', () => {
    const journalPath = longRun(tempStateDir('stepwise-snapshot-'));
    const shorter = readFileSync(journalPath);
    appendProgress(journalPath, snapshotEvery);
    readRun(journalPath);
    const snapshot = readFileSync(snapshotPath(journalPath), 'utf8');

    const [header, body] = snapshot.split('\n');
    const older = JSON.stringify({ ...JSON.parse(header), version: '0.0.1' });
    writeFileSync(snapshotPath(journalPath), `${older}\n${body}\n`);
    expect(readRun(journalPath).tail.from.seq).toBe(0);

    writeFileSync(snapshotPath(journalPath), snapshot);
    writeFileSync(journalPath, shorter);
    const read = readRun(journalPath);
    expect(read.tail.from.seq).toBe(0);
    expect(read.record).toEqual(wholeRecord(journalPath));
  });

  it("ignores a snapshot of another run's journal (its hash is not this journal's)", () => {
    const stateDir = tempStateDir('stepwise-snapshot-');
    const ours = longRun(stateDir, 'queue-migration-20261123T020013Z');
    const theirs = longRun(stateDir, 'queue-migration-20261124T020013Z');
    readRun(theirs);
    copyFileSync(snapshotPath(theirs), snapshotPath(ours));
    const read = readRun(ours);
    expect(read.tail.from.seq).toBe(0);
    expect(read.record).toEqual(wholeRecord(ours));
    expect(read.record.state?.runId).toBe('queue-migration-20261123T020013Z');
  });

  it('leaves verify to check the whole chain, and the report says from where it checked', async () => {
    const stateDir = tempStateDir('stepwise-snapshot-');
    const journalPath = longRun(stateDir);
    readRun(journalPath);
    appendProgress(journalPath, 1);
    const lines = readFileSync(journalPath, 'utf8').split('\n');
    const signed = lines.findIndex((l) => l.includes('"type":"gate.signed"'));
    // Same length: the snapshot's point (a byte offset) still finds its event.
    lines[signed] = lines[signed].replace('backup verified', 'backup VERIFIED');
    writeFileSync(journalPath, lines.join('\n'));

    const read = readRun(journalPath);
    expect(read.tail.problems).toEqual([]);
    const verify = await runCli(['verify', read.record.state!.runId], { stateDir });
    expect(verify.exitCode).toBe(1);
    expect(verify.all).toContain(`journal.jsonl:${signed + 1}: hash mismatch`);

    const report = await runCli(['report', read.record.state!.runId], { stateDir });
    expect(report.exitCode).toBe(0);
    expect(report.all).toContain(`checked after event ${read.tail.from.seq}, the run's snapshot`);
  });
});
