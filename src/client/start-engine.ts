import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { baselineWasmFlags } from '../runbook/use-baseline-wasm.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { HostReply, HostRequest } from '../protocol/host-request.js';

// The built engine entry point; src/client and dist/client are both two levels under the package.
const engineMain = fileURLToPath(new URL('../../dist/host/engine-main.js', import.meta.url));

// Starts a run's engine as its own process in a new session (detached, no terminal, stdout and
// stderr to nowhere: it logs to engine.log beside the journal), and waits for its one-line
// answer: the run id once it serves, or why it could not open the run.
// A refusal throws with the engine's sentence; values the run needs and nobody gave come back
// (`missing`), for the caller to ask and start again.
export async function startEngine(
  request: HostRequest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Extract<HostReply, { ok: true }> | { missing: NonNullable<Extract<HostReply, { ok: false }>['missing']> }> {
  const child = spawn(process.execPath, [...baselineWasmFlags, engineMain], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore', 'pipe'],
    env,
  });
  child.stdin!.end(JSON.stringify(request));
  const ready = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  const answer = await new Promise<HostReply | undefined>((resolve) => {
    let text = '';
    ready.setEncoding('utf8');
    ready.on('data', (chunk: string) => (text += chunk));
    ready.on('end', () => {
      try {
        resolve(JSON.parse(text) as HostReply);
      } catch {
        resolve(undefined);
      }
    });
    ready.on('error', () => resolve(undefined));
  });
  ready.destroy();
  child.unref();
  if (!answer) {
    throw new StepwiseError(
      'the engine ended before it was ready; see engine.log in the run directory',
      'stepFailed',
    );
  }
  if (!answer.ok && answer.missing?.length) return { missing: answer.missing };
  if (!answer.ok) throw new StepwiseError(answer.message, answer.kind);
  return answer;
}
