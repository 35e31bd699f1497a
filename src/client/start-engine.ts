import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { baselineWasmFlags } from '../db/use-baseline-wasm.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { HostReply, HostRequest } from '../protocol/host-request.js';

// The built engine entry point; src/client and dist/client are both two levels under the package.
const engineMain = fileURLToPath(new URL('../../dist/host/engine-main.js', import.meta.url));

// Starts a run's engine as its own process in a new session (detached, no terminal, stdout and
// stderr to nowhere: it logs to engine.log beside the journal), and waits for its one-line
// answer: the run id once it serves, or why it could not open the run.
export async function startEngine(request: HostRequest, env: NodeJS.ProcessEnv = process.env): Promise<{ runId: string; pid: number }> {
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
  if (!answer.ok) throw new StepwiseError(answer.message, answer.kind);
  return { runId: answer.runId, pid: answer.pid };
}
