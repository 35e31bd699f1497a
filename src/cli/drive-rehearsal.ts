import type { Engine } from '../engine/engine.js';
import type { Signer } from '../engine/engine-api.js';
import { driveHeadless } from './drive-headless.js';
import { ExitCode } from './exit-codes.js';

// A gate a rehearsal needs several people for is signed by stand-ins, named as such in the
// journal: a rehearsal proves the runbook, not who may sign it.
function standIn(n: number): Signer {
  return { operator: `rehearsal stand-in ${n}`, user: `rehearsal-stand-in-${n}` };
}

// Drives a rehearsal run forward as `--yes` would, but never stops for a person or the calendar:
// a gate that needs several signers gets stand-ins, and a soak (shortened by the run's soakFor)
// is held until it ends. Returns 0 at the end, 1 when a step failed; what stopped it is said.
export async function driveRehearsal(engine: Engine, say: (text: string) => void): Promise<number> {
  for (let round = 0; ; round++) {
    const said: string[] = [];
    const code = await driveHeadless(engine, { yes: true, retry: [], markDone: [], say: (t) => said.push(t), waitForOperator: true });
    if (code !== ExitCode.paused) {
      for (const text of said) say(text);
      return code === ExitCode.done ? 0 : 1;
    }
    const next = engine.next();
    if (next.kind === 'gate') {
      await engine.signGate(next.phase, 'rehearsal', standIn(round + 2));
      continue;
    }
    if (next.kind === 'step' && engine.run.steps[next.step].status === 'soaking') {
      await engine.runStep(next.step);
      continue;
    }
    for (const text of said) say(text);
    return 1;
  }
}
