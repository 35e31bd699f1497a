import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';

describe('durations longer than Node can time at once', () => {
  it('a step with timeout: 600h runs to its end instead of timing out at once', async () => {
    const stateDir = tempStateDir();
    const path = join(stateDir, 'long.yaml');
    writeFileSync(
      path,
      `version: 1
name: long-timeout
phases:
  - id: main
    steps:
      - id: build
        timeout: 600h
        retries: { attempts: 2, backoff: 900h }
        run: [node, -e, "process.stdout.write('built')"]
`,
    );
    const result = await runCli(['run', path, '--plain', '--yes'], { stateDir });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).not.toContain('timed out');
    const runs = readEvents(join(stateDir, 'runs', result.stdout.match(/run (long-timeout-\S+)/)![1], 'journal.jsonl'));
    expect(runs.filter((e) => e.type === 'step.succeeded')).toHaveLength(1);
  });
});
