import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { followRun } from '../client/follow-run.js';
import { describeSignoff } from '../client/describe-signoff.js';
import { resolveState } from '../store/state-location.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { connectRun, locateRun, type RunPlace } from './connect-run.js';
import { type StateFlags, withStateDir } from './shared-options.js';

interface ApproveFlags extends StateFlags {
  yes: boolean;
  note?: string;
  operator?: string;
}

async function confirmed(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}

export const approveCommand = withStateDir(
  new Command('approve')
    .description('sign the gate or manual step a live run waits for, from your own session')
    .argument('[run]', 'run id, or runbook path or name (latest run); default: the latest run')
    .option('--yes', 'sign without asking (what is signed is printed first)', false)
    .option('--note <text>', 'a note recorded with the sign-off')
    .option('--operator <name>', 'a display name recorded beside your verified Unix user'),
).action(async (ref: string | undefined, flags: ApproveFlags) => {
  const state = resolveState(flags);
  const place: RunPlace = { stateDir: state.dir, url: state.url };
  const runId = await locateRun(place, ref);
  const display = flags.operator ?? process.env.STEPWISE_OPERATOR;
  const client = await connectRun(place, runId, 'operator', display);
  try {
    const followed = await followRun(client);
    const waiting = describeSignoff(followed, client);
    process.stdout.write(`${waiting.text}\n`);
    if (!waiting.intent) throw new StepwiseError(`nothing in ${runId} waits for a sign-off`, 'usage');
    if (!flags.yes) {
      if (!process.stdin.isTTY)
        throw new StepwiseError('approve asks before signing: run it in a terminal, or add --yes', 'paused');
      const shown = display && display !== client.user ? ` ("${display}")` : '';
      if (!(await confirmed(`Sign as ${client.identity} ${client.user}${shown}? Type yes: `)))
        throw new StepwiseError('not signed', 'paused');
    }
    await client.request({ ...waiting.intent, note: flags.note ?? '' });
    process.stdout.write(`signed as ${client.user}${flags.operator ? ` (${flags.operator})` : ''}\n`);
  } finally {
    client.close();
  }
});
