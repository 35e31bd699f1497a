import { describe, expect, it } from 'vitest';
import { detectDrift } from '../../src/engine/detect-drift.js';
import type { JournalEvent } from '../../src/journal/events.js';
import { replay } from '../../src/journal/reducer.js';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import { stepDefinitions } from '../../src/runbook/step-definitions.js';
import { runbookWith, writeRunbook } from '../runbook/write-runbook.js';

// A runbook with a step whose SQL is inline, one that runs a file, and one that never changes.
function loaded(sql: string, file: string) {
  const steps = `      - id: add\n        sql: ${sql}\n      - id: load\n        sql: { file: load.sql }\n      - id: same\n        manual: Look.\n`;
  return loadRunbook(writeRunbook(runbookWith(steps), { 'load.sql': file }));
}

// A run started with these step hashes, nothing run yet.
const startedWith = (stepHashes: Record<string, string>) =>
  replay([
    {
      type: 'run.started', seq: 0, ts: '2026-12-06T02:00:00Z', prev: '', hash: '',
      run_id: 'r', runbook: { path: 'x', name: 'example', title: 'example', sha256: '' },
      step_hashes: stepHashes, plan: [], operator: 'ana', host: 'h', pid: 1, vars: {},
      connections: {}, version: 'test',
    } as JournalEvent,
  ])!;

describe('drift on resume', () => {
  it('shows what changed in a step and in the sql file it runs, and leaves unchanged steps out', async () => {
    const before = await loaded('ALTER TABLE t ADD COLUMN a int', 'INSERT INTO t VALUES (1);\n');
    const now = await loaded('ALTER TABLE t ADD COLUMN a bigint', 'INSERT INTO t VALUES (2);\n');
    const state = startedWith(before.stepHashes);
    const drift = await detectDrift(state, now.stepHashes, {
      before: stepDefinitions(before.runbook, before.files),
      now: stepDefinitions(now.runbook, now.files),
    });
    expect(drift).toEqual([
      {
        step: 'add',
        change: 'changed',
        ran: false,
        diff: ['   "id": "add",', '-  "sql": "ALTER TABLE t ADD COLUMN a int"', '+  "sql": "ALTER TABLE t ADD COLUMN a bigint"', ' }'],
      },
      { step: 'load', change: 'changed', ran: false, diff: [' -- load.sql', '-INSERT INTO t VALUES (1);', '+INSERT INTO t VALUES (2);'] },
    ]);
  });

  it('says only "changed" for a run from before step definitions were kept', async () => {
    const before = await loaded('SELECT 1', 'SELECT 1;\n');
    const now = await loaded('SELECT 2', 'SELECT 1;\n');
    const state = startedWith(before.stepHashes);
    expect(await detectDrift(state, now.stepHashes, { now: stepDefinitions(now.runbook, now.files) })).toEqual([
      { step: 'add', change: 'changed', ran: false },
    ]);
  });
});
