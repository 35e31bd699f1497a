import { closeSync, rmSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parentPort } from 'node:worker_threads';
import { execa, type Options, type ResultPromise } from 'execa';
import { killProcessGroup } from '../kill-process-group.js';
import { OutputTail } from '../output-tail.js';
import { LogFile } from './log-file.js';
import { LogFollower, openDirectLog } from './direct-log.js';
import { maskedOutput } from './masked-output.js';
import { OutputMatcher } from './output-matcher.js';
import type { FromWorker, ProcessJob, ProcessOutcome, ToWorker } from './process-job.js';

// The worker thread that runs `run` steps' commands (see process-job.ts).

// The screen shows a step's output a few times a second: more would cost the step, not help the operator.
const tailEveryMs = 250;

if (!parentPort) throw new Error('process-worker.ts runs as a worker thread (run-in-worker.ts starts it)');
const port = parentPort;
const post = (message: FromWorker) => port.postMessage(message);
const aborts = new Map<number, () => void>();

// The first command a thread starts loads Node's child-process internals and runs execa cold
// (about 15 ms); a no-op command now keeps that out of the first step's time.
void execa('true', { stdio: 'ignore', reject: false });

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') return aborts.get(message.id)?.();
  try {
    start(message.id, message.job);
  } catch (error) {
    // Options execa refuses: this command fails, the worker goes on.
    post({ type: 'failed', id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});

// Streams a pipe, masked, into `sink` as it comes; `text` sees it decoded and unmasked (for
// expect.stdout). Returns what ends it.
function follow(
  stream: Readable | null,
  job: ProcessJob,
  sink: (bytes: Buffer) => void,
  text?: (text: string) => void,
) {
  const decoder = text && new StringDecoder('utf8');
  const out = maskedOutput(job.secrets, sink);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    if (decoder) text?.(decoder.end());
    out.end();
  };
  stream?.on('data', (chunk: Buffer) => {
    if (decoder) text?.(decoder.write(chunk));
    out.write(chunk);
  });
  stream?.once('end', end);
  return end;
}

// Synchronously, before anything else: stepwise may be killed a moment after the command starts.
// Best effort: the journal records the group too.
function noteProcessGroup(file: string | undefined, pgid: number | undefined): void {
  if (file === undefined) return;
  try {
    if (pgid === undefined) rmSync(file, { force: true });
    else writeFileSync(file, `${pgid}\n`);
  } catch {
    // A state dir that cannot be written fails the step's journal writes with a clear message.
  }
}

// execa hands a descriptor number to spawn as it is; its types name only 1 to 9.
const descriptor = (fd: number) => fd as 3;

function start(id: number, job: ProcessJob): void {
  const tail = new OutputTail();
  const matcher = job.pattern === undefined ? undefined : new OutputMatcher(new RegExp(job.pattern, 'm'));
  let changed = false;
  const sink = (bytes: Buffer) => {
    log.write(bytes);
    tail.push(bytes);
    changed = true;
  };
  const direct = openDirectLog(job);
  const options: Options = {
    cwd: job.cwd,
    env: job.env,
    detached: true,
    buffer: false,
    stdin: 'ignore',
    stdout: direct ? descriptor(direct.fd) : 'pipe',
    stderr: direct ? descriptor(direct.fd) : 'pipe',
    reject: false,
  };
  let child: ResultPromise<Options>;
  try {
    child = execa(job.file, job.args, options);
  } finally {
    // The command holds its own copy of the descriptor.
    if (direct) closeSync(direct.fd);
  }
  // Opened once execa took the command: a refused one leaves no file open.
  const log = new LogFile(direct ? undefined : job.log);
  const follower = direct && new LogFollower(job.log!, direct.from, tail);
  const pid = child.pid;
  if (pid !== undefined) {
    noteProcessGroup(job.processGroupFile, pid);
    post({ type: 'spawned', id, pid });
  }
  const endStdout = follow(child.stdout, job, sink, matcher && ((text) => matcher.push(text)));
  const endStderr = follow(child.stderr, job, sink);
  follower?.follow(() => (changed = true));
  const timer = setInterval(() => {
    log.flush();
    if (!changed) return;
    changed = false;
    post({ type: 'tail', id, tail: tail.snapshot() });
  }, tailEveryMs);
  let ending: Promise<boolean> | undefined;
  const endGroup = () => {
    if (pid !== undefined) ending ??= killProcessGroup(pid);
  };
  aborts.set(id, endGroup);
  // A step leaves nothing behind: what it started in the background goes when it exits.
  child.once('exit', endGroup);
  child
    .then(async (result) => {
      await ending;
      noteProcessGroup(job.processGroupFile, undefined);
      endStdout();
      endStderr();
      log.close();
      follower?.read();
      follower?.close();
      const started = result.exitCode !== undefined || result.signal !== undefined;
      const outcome: ProcessOutcome = {
        exitCode: result.exitCode,
        signal: result.signal,
        startError: started
          ? undefined
          : { code: result.code, message: result.originalMessage ?? result.message ?? 'it did not start' },
        matched: matcher?.matched ?? false,
        logError: log.error ?? follower?.error,
      };
      post({ type: 'exited', id, outcome, tail: tail.snapshot() });
    })
    .catch((error: unknown) => {
      post({ type: 'failed', id, error: error instanceof Error ? error.message : String(error) });
    })
    .finally(() => {
      clearInterval(timer);
      follower?.close();
      aborts.delete(id);
    });
}
