import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/errors/stepwise-error.js';
import { findLatestRun, findRun } from '../../src/journal/find-run.js';
import { journalPath, runDir } from '../../src/journal/state-dir.js';
import { tempStateDir } from '../helpers/run-cli.js';

// Only the last line matters to findRun (finished or not); the rest of the journal is not read.
function addRun(
  stateDir: string,
  runId: string,
  last: 'run.finished' | 'step.started' = 'step.started',
): void {
  mkdirSync(runDir(stateDir, runId), { recursive: true });
  const event = last === 'run.finished' ? { type: last, outcome: 'succeeded' } : { type: last, step: 'a' };
  writeFileSync(journalPath(stateDir, runId), `{"seq":1,"type":"run.started"}\n${JSON.stringify(event)}\n`);
}

function refusal(work: () => unknown): StepwiseError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(StepwiseError);
    return error as StepwiseError;
  }
  throw new Error('expected a StepwiseError');
}

describe('finding the run an operator means', () => {
  it('takes a run id as it is', () => {
    const dir = tempStateDir('stepwise-find-');
    addRun(dir, 'queue-migration-20261123T020000Z');
    addRun(dir, 'queue-migration-20261124T020000Z');
    expect(findRun(dir, 'queue-migration-20261123T020000Z')).toEqual({
      runId: 'queue-migration-20261123T020000Z',
      journalPath: journalPath(dir, 'queue-migration-20261123T020000Z'),
    });
  });

  it('takes a runbook name to mean its latest run, counting -2 … -10 in the same second in order', () => {
    const dir = tempStateDir('stepwise-find-');
    addRun(dir, 'queue-migration-20261123T020000Z');
    addRun(dir, 'queue-migration-20261123T020000Z-2');
    addRun(dir, 'queue-migration-20261123T020000Z-10');
    addRun(dir, 'queue-migration-extra-20261130T020000Z');
    expect(findRun(dir, 'queue-migration').runId).toBe('queue-migration-20261123T020000Z-10');
    expect(findLatestRun(dir, 'queue-migration')).toMatchObject({
      runId: 'queue-migration-20261123T020000Z-10',
      finished: false,
    });
  });

  it('takes a runbook path to mean the latest run of the runbook named in it', () => {
    const dir = tempStateDir('stepwise-find-');
    addRun(dir, 'queue-migration-20261123T020000Z');
    addRun(dir, 'queue-migration-20261124T020000Z', 'run.finished');
    const runbook = join(dir, 'runbook.yaml');
    writeFileSync(runbook, 'version: 1\nname: queue-migration\nphases: []\n');
    expect(findRun(dir, runbook).runId).toBe('queue-migration-20261124T020000Z');
    expect(findLatestRun(dir, 'queue-migration')?.finished).toBe(true);
  });

  it('takes a unique prefix of a run id', () => {
    const dir = tempStateDir('stepwise-find-');
    addRun(dir, 'queue-migration-20261123T020000Z');
    addRun(dir, 'queue-migration-20261124T020000Z');
    expect(findRun(dir, 'queue-migration-20261124').runId).toBe('queue-migration-20261124T020000Z');
    const error = refusal(() => findRun(dir, 'queue-migration-2026112'));
    expect(error.kind).toBe('usage');
    expect(error.message).toContain('matches several runs');
  });

  it('without a reference, takes the latest run when one runbook has runs', () => {
    const dir = tempStateDir('stepwise-find-');
    addRun(dir, 'queue-migration-20261123T020000Z');
    addRun(dir, 'queue-migration-20261124T020000Z', 'run.finished');
    expect(findRun(dir).runId).toBe('queue-migration-20261124T020000Z');
  });

  it('without a reference and several runbooks, takes the only unfinished one', () => {
    const dir = tempStateDir('stepwise-find-');
    addRun(dir, 'queue-migration-20261123T020000Z');
    addRun(dir, 'v3-consolidation-20261124T020000Z', 'run.finished');
    expect(findRun(dir).runId).toBe('queue-migration-20261123T020000Z');
  });

  it('refuses to guess between several runbooks with unfinished runs, listing them (exit 2)', () => {
    const dir = tempStateDir('stepwise-find-');
    addRun(dir, 'queue-migration-20261123T020000Z');
    addRun(dir, 'v3-consolidation-20261124T020000Z');
    const error = refusal(() => findRun(dir));
    expect(error.kind).toBe('usage');
    expect(error.message).toContain('several runbooks have runs');
    expect(error.message).toContain('queue-migration-20261123T020000Z');
    expect(error.message).toContain('v3-consolidation-20261124T020000Z');
  });

  it('says what exists when nothing matches, and where it looked when there is nothing', () => {
    const dir = tempStateDir('stepwise-find-');
    expect(refusal(() => findRun(dir)).message).toContain(`no runs in ${dir}`);
    addRun(dir, 'queue-migration-20261123T020000Z');
    const error = refusal(() => findRun(dir, 'cleanup-20261123T020000Z'));
    expect(error.kind).toBe('usage');
    expect(error.message).toContain('no run or runbook "cleanup-20261123T020000Z"');
    expect(error.message).toContain('queue-migration-20261123T020000Z');
    expect(findLatestRun(dir, 'cleanup')).toBeUndefined();
  });
});
