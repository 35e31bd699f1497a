import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARE_ENV, Worker, type WorkerOptions } from 'node:worker_threads';
import type { TailSnapshot } from '../output-tail.js';
import type { FromWorker, ProcessJob, ProcessOutcome, ToWorker } from './process-job.js';

export interface ProcessHooks {
  spawned(pid: number): void;
  tail(tail: TailSnapshot): void;
}

export interface RunningProcess {
  done: Promise<ProcessOutcome>;
  // Ends the whole process group (SIGTERM, then SIGKILL); `done` settles once it is gone.
  abort(): void;
}

interface Pending {
  hooks: ProcessHooks;
  resolve(outcome: ProcessOutcome): void;
  reject(error: Error): void;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

// The worker runs the same build as this module: compiled JavaScript, or TypeScript sources
// under vitest and tsx, which it loads through tsx's loader.
function createWorker(): Worker {
  const here = import.meta.url;
  const entry = new URL(`./process-worker${extname(fileURLToPath(here))}`, here);
  // Its garbage is pipe chunks that die at once: a small young generation keeps the peak
  // memory of a step printing a lot down (about 20 MB less), at no cost in speed.
  const options: WorkerOptions = { env: SHARE_ENV, resourceLimits: { maxYoungGenerationSizeMb: 4 } };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)})
    .then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

function failAll(error: Error): void {
  worker = undefined;
  for (const job of pending.values()) job.reject(error);
  pending.clear();
}

function onMessage(message: FromWorker): void {
  const job = pending.get(message.id);
  if (!job) return;
  if (message.type === 'spawned') return job.hooks.spawned(message.pid);
  if (message.type === 'tail') return job.hooks.tail(message.tail);
  pending.delete(message.id);
  if (pending.size === 0) worker?.unref();
  if (message.type === 'failed') return job.reject(new Error(message.error));
  job.hooks.tail(message.tail);
  job.resolve(message.outcome);
}

function theWorker(): Worker {
  if (worker) return worker;
  const started = createWorker();
  started.on('message', onMessage);
  started.on('error', (error) => failAll(new Error(`the process worker stopped: ${error.message}`)));
  started.on('exit', (code) => {
    if (worker === started) failAll(new Error(`the process worker exited with code ${code}`));
  });
  started.unref();
  worker = started;
  return started;
}

// Starts the worker ahead of the first command, so that the first step does not wait for it.
export function warmUpProcessWorker(): void {
  theWorker();
}

// Runs a command in the process worker thread; the main thread only receives its process group,
// a tail of its output a few times a second, and how it ended.
export function runInWorker(job: ProcessJob, hooks: ProcessHooks): RunningProcess {
  const target = theWorker();
  const id = ++nextId;
  const send = (message: ToWorker) => target.postMessage(message);
  const done = new Promise<ProcessOutcome>((resolve, reject) => {
    pending.set(id, { hooks, resolve, reject });
  });
  // A running command keeps stepwise alive, as a child process of its own would.
  target.ref();
  send({ type: 'start', id, job });
  return { done, abort: () => send({ type: 'abort', id }) };
}
