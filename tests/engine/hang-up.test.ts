import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readEvents, runCli, startCli, tempStateDir } from '../helpers/run-cli.js';

function running(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return false;
  }
}

describe('a hang-up while a step runs', () => {
  it.each(['SIGHUP', 'SIGTERM'] as const)(
    'journals the pause on %s, leaves no child behind, and resumes',
    async (signal) => {
      const stateDir = tempStateDir();
      const runbook = join(stateDir, 'hangup.yaml');
      const pids = join(stateDir, 'pids');
      const marker = join(stateDir, 'second-time');
      writeFileSync(
        runbook,
        `version: 1
name: hangup-story
vars:
  pids: { default: "${pids}" }
  marker: { default: "${marker}" }
phases:
  - id: main
    steps:
      - id: long
        run: { shell: "test -e {{ vars.marker }} && exit 0; touch {{ vars.marker }}; sleep 60 & echo $! > {{ vars.pids }}; wait" }
      - id: after
        run: [echo, after]
`,
      );
      const child = startCli(['run', runbook, '--plain'], { stateDir });
      for (let i = 0; i < 200 && !existsSync(pids); i++) await sleep(50);
      const grandchild = Number(readFileSync(pids, 'utf8'));
      child.kill(signal);
      const result = await child;
      expect(result.exitCode).toBe(130);

      const runId = readdirSync(join(stateDir, 'runs'))[0];
      const events = readEvents(join(stateDir, 'runs', runId, 'journal.jsonl'));
      expect(events.find((e) => e.type === 'step.failed')).toMatchObject({ step: 'long', stopped: 'pause' });
      expect(events.at(-1)).toMatchObject({ type: 'run.paused', reason: signal, step: 'long' });
      for (let i = 0; i < 40 && running(grandchild); i++) await sleep(100);
      expect(running(grandchild)).toBe(false);

      const resumed = await runCli(['resume', '--plain'], { stateDir });
      expect(resumed.exitCode, resumed.all).toBe(0);
      expect(readEvents(join(stateDir, 'runs', runId, 'journal.jsonl')).at(-1)).toMatchObject({
        type: 'run.finished',
        outcome: 'succeeded',
      });
    },
  );
});
