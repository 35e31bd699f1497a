import { startEngine } from '../client/start-engine.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { HostRequest } from '../protocol/host-request.js';
import type { FrontEndMode } from './choose-mode.js';
import { promptVarsFor } from './prompt-vars.js';

// Starts the run's engine process and returns the run id once it serves. Values declared with
// `prompt:` that nobody gave are asked here (in the TUI) and the engine is started again with
// them: the engine has no terminal to ask on. What the opening said is printed on stderr.
export async function openEngine(
  request: HostRequest,
  mode: FrontEndMode,
): Promise<{ runId: string; opened?: 'start' | 'resume' | 'attach' }> {
  let vars = request.vars;
  for (;;) {
    const answer = await startEngine({ ...request, vars });
    if ('missing' in answer) {
      const ask = promptVarsFor(mode);
      if (!ask) {
        const names = answer.missing.map((m) => `--var ${m.name}=…`).join(' ');
        throw new StepwiseError(`missing values: give them with ${names}`, 'paused');
      }
      vars = { ...vars, ...(await ask(answer.missing)) };
      continue;
    }
    for (const line of answer.warnings ?? []) process.stderr.write(`${line}\n`);
    return { runId: answer.runId, opened: answer.opened };
  }
}
