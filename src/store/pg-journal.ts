import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { fatal } from '../errors/fatal.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { EventPayload, JournalEvent } from '../journal/events.js';
import { eventLine, parseJournal, type ReadResult } from '../journal/file-journal.js';
import { type Journal, type JournalPoint, journalTop } from '../journal/journal.js';
import { redactUrl } from '../db/redact-url.js';
import type { CallAnswer, CallFailure, JournalCall, JournalPost, LeaseLost, Opened } from './journal-calls.js';
import type { Holder, Lease } from './run-store.js';

// A run's journal in a team's state database. The engine's contract is the file journal's: an
// event is durable before append returns, so append waits (Atomics.wait) for the worker thread
// that owns the journal's connection (journal-worker.ts) to have it committed. The database
// refuses the event unless this engine holds the run's lease; a refusal stops the process at once
// (errors/fatal.ts) like a journal that cannot be written, with its own sentence and kind.

// Opening connects, migrates and reads the run; an append is one INSERT (under 30 s, the
// journal's statement timeout, plus the time to tell a lost connection).
const openWaitMs = 120_000;
const appendWaitMs = 60_000;

export const defaultLeaseMs = 30_000;

function startWorker(port: MessagePort, flag: Int32Array): Worker {
  const here = import.meta.url;
  const entry = new URL(`./journal-worker${extname(fileURLToPath(here))}`, here);
  const options = { workerData: { port, flag }, transferList: [port] };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  // Under vitest and tsx the worker loads the TypeScript sources through tsx's loader.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)})
    .then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

export interface PgJournalOptions {
  url: string;
  // A new run's (`create`): the id it is claimed as, or the next free suffix of it.
  runId: string;
  me: Holder;
  leaseMs?: number;
  create?: { runbook: string; stepDefinitions: string };
  // A snapshot's point: only the events after it are read.
  from?: JournalPoint;
  now?: () => number;
}

export interface OpenedPgJournal {
  journal: PgJournal;
  read: ReadResult;
  // The engine whose lease this one took (expired, or released when it closed), if any.
  previous?: Lease;
  stepDefinitions?: string;
  // session_user of the journal's connection.
  role: string;
}

export class PgJournal implements Journal {
  private seq: number;
  private prev: string;
  private failed: StepwiseError | undefined;
  private closed = false;
  private readonly listeners = new Set<(event: JournalEvent) => void>();
  private readonly closeListeners: Array<() => void> = [];

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly flag: Int32Array,
    readonly runId: string,
    readonly engineId: string,
    readonly location: string,
    at: { seq: number; hash: string },
    private readonly now: () => number,
  ) {
    this.seq = at.seq;
    this.prev = at.hash;
  }

  // Takes the run (its lease and advisory lock; a new run's row and id first) and reads its events
  // after `from`. Refused with a `locked` error while another live engine holds the run.
  static open(options: PgJournalOptions): OpenedPgJournal {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = startWorker(port2, flag);
    worker.unref();
    const from = options.from ?? journalTop;
    let opened: Opened;
    try {
      opened = call(port1, flag, {
        method: 'open',
        url: options.url,
        runId: options.runId,
        me: options.me,
        leaseMs: options.leaseMs ?? defaultLeaseMs,
        create: options.create,
        afterSeq: from.seq,
      }, openWaitMs) as Opened;
    } catch (error) {
      void worker.terminate();
      throw error;
    }
    const lines = opened.lines.join('\n');
    const read = parseJournal(Buffer.from(lines ? `${lines}\n` : ''), from);
    const last = read.events.at(-1);
    const at = last ? { seq: last.seq, hash: last.hash } : { seq: from.seq, hash: from.hash };
    const location = `run ${opened.runId} in ${redactUrl(options.url)}`;
    const journal = new PgJournal(worker, port1, flag, opened.runId, options.me.engineId, location, at, options.now ?? (() => Date.now()));
    worker.on('message', (message: LeaseLost) => journal.lose(message.holder));
    return { journal, read, previous: opened.previous, stepDefinitions: opened.stepDefinitions, role: opened.role };
  }

  get point(): JournalPoint {
    // Events are rows: a state database has no byte offsets, and each event is one line.
    return { seq: this.seq, hash: this.prev, offset: 0, line: this.seq };
  }

  get lastSeq(): number {
    return this.seq;
  }

  onAppend(listener: (event: JournalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // Called as it closes, with nothing more to come, while it still takes posts.
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  append(payload: EventPayload): JournalEvent {
    if (this.failed) throw this.failed;
    const { event, line } = eventLine(payload, { seq: this.seq + 1, ts: new Date(this.now()).toISOString(), prev: this.prev });
    try {
      this.call({
        method: 'append',
        row: { runId: this.runId, seq: event.seq, line, type: event.type, ts: event.ts, prev: event.prev, hash: event.hash, engineId: this.engineId },
      }, appendWaitMs);
    } catch (error) {
      const failure = (error as { failure?: CallFailure }).failure;
      if (failure?.reason === 'lost') {
        this.lose(failure.holder);
        throw this.failed;
      }
      this.failed = new StepwiseError(
        `cannot write the journal of ${this.location} (${failure?.message ?? (error as Error).message}) while recording ${event.type}: ` +
          'the run stopped here; once the state database answers, `stepwise resume`',
        'journal',
      );
      fatal(this.failed);
    }
    this.seq = event.seq;
    this.prev = event.hash;
    for (const l of this.listeners) l(event);
    return event;
  }

  readAll(): JournalEvent[] {
    const lines = this.call({ method: 'readAll' }, openWaitMs) as string[];
    return lines.map((l) => JSON.parse(l) as JournalEvent);
  }

  // Off the engine's path: kept by the worker when it gets to it, and before it closes.
  post(message: JournalPost): void {
    if (!this.closed) this.port.postMessage(message);
  }

  // Waits (a few seconds at most) for a closed step's log to be whole in the database; why not,
  // if it is not (the worker goes on trying).
  completeLog(log: string): string | undefined {
    if (this.failed || this.closed) return undefined;
    try {
      return (this.call({ method: 'completeLog', log }, appendWaitMs) as string | undefined) ?? undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  close(): void {
    if (this.closed) return;
    // Nothing more is appended: what keeps the run (its snapshot, its logs' last bytes) posts now,
    // and the worker writes it before it closes.
    if (!this.failed) for (const l of this.closeListeners) l();
    this.closed = true;
    // A lost run's lease is another's: closing only ends the connection.
    try {
      this.call({ method: 'close' }, appendWaitMs);
    } catch {
      // The connection is gone with its session: the lease expires by itself.
    }
    void this.worker.terminate();
  }

  // Another engine holds the run now: nothing more is journaled here, and the process stops.
  private lose(holder: Lease | undefined): void {
    if (this.failed) return;
    const who = holder ? `host ${holder.host} (pid ${holder.pid})` : 'another engine';
    this.failed = new StepwiseError(
      `this engine lost run ${this.runId} to ${who} at seq ${this.seq + 1}; it journals nothing more`,
      'lost',
    );
    try {
      fatal(this.failed);
    } catch {
      // The process's handler stops it; an append from here on throws this error again.
    }
  }

  private call(message: JournalCall, waitMs: number): unknown {
    return call(this.port, this.flag, message, waitMs);
  }
}

function call(port: MessagePort, flag: Int32Array, message: JournalCall, waitMs: number): unknown {
  Atomics.store(flag, 0, 0);
  port.postMessage(message);
  if (Atomics.wait(flag, 0, 0, waitMs) === 'timed-out') {
    throw Object.assign(new Error(`the state database did not answer within ${waitMs / 1000} s`), {
      failure: { message: 'no answer from the state database', reason: 'failed' } satisfies CallFailure,
    });
  }
  const answer = receiveMessageOnPort(port)?.message as CallAnswer | undefined;
  if (!answer) throw new Error('the journal worker gave no answer');
  if (answer.ok) return answer.value;
  throw Object.assign(new StepwiseError(answer.failure.message, answer.failure.reason === 'held' ? 'locked' : 'journal'), {
    failure: answer.failure,
  });
}
