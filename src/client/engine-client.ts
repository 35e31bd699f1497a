import { connect as netConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { StepwiseError } from '../errors/stepwise-error.js';
import { readEngineRecord } from '../protocol/engine-record.js';
import { lineChannel, type LineChannel } from '../protocol/line-channel.js';
import type { LogPage, LogPosition } from '../engine/read-log-page.js';
import { protocolVersion } from '../protocol/handshake.js';
import type { ClientMessage, EngineMessage, Intent, Role } from '../protocol/messages.js';
import { writeProof } from './prove-identity.js';
import type { RunClient, Subscriber } from './run-client.js';

type LiveOutput = Extract<EngineMessage, { type: 'live' }>['live']['output'];

export interface ConnectOptions {
  stateDir: string;
  runId: string;
  role: Role;
  // --operator: shown beside the verified user.
  display?: string;
  env?: NodeJS.ProcessEnv;
}

type Waiting = { resolve: (value: unknown) => void; reject: (error: Error) => void };

// A front end's connection to a run's engine: hello, identity proof, then a subscription and
// intents, each answered done or refused with the sentence to show.
export class EngineClient implements RunClient {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private subscriber?: Subscriber;
  // Every step's output tail so far: a live message carries only those that changed.
  private output: LiveOutput = {};
  private caughtUp?: () => void;
  private readonly closed: Promise<void>;
  private identified = false;
  private gone = false;
  // Why the engine stopped at once (a journal it could not write), when it said so.
  private stopped?: StepwiseError;
  // The Unix user the engine verified this process to be.
  user = '';
  readonly identity = 'Unix user';

  private constructor(
    private readonly socket: Socket,
    private channel: LineChannel,
  ) {
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    void this.closed.then(() => {
      this.gone = true;
      const gone = this.stopped ?? new StepwiseError('the engine has ended: the run is paused or finished', 'paused');
      for (const w of this.waiting.values()) w.reject(gone);
      this.waiting.clear();
    });
  }

  // Resolves once the engine has verified who this process's user is.
  static async connect(options: ConnectOptions): Promise<EngineClient> {
    const record = readEngineRecord(options.stateDir, options.runId);
    const notRunning = new StepwiseError(
      `no engine is serving run ${options.runId} (it is paused or finished): ` +
        `\`stepwise resume ${options.runId}\` starts one`,
      'usage',
    );
    if (!record) throw notRunning;
    const socket = netConnect(record.socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EACCES' ? new StepwiseError(`not allowed to reach the engine of ${options.runId}: the run's group may`, 'usage') : notRunning),
      );
    });
    let client!: EngineClient;
    const identified = new Promise<void>((resolve, reject) => {
      const channel = lineChannel(socket, (line) => client.receive(line, resolve, reject));
      client = new EngineClient(socket, channel);
      void client.closed.then(() => reject(new StepwiseError('the engine closed the connection', 'usage')));
    });
    const env = options.env ?? process.env;
    client.channel.send({
      type: 'hello',
      protocol: protocolVersion,
      role: options.role,
      display: options.display,
      host: hostname(),
      ssh: env.SSH_CONNECTION?.split(' ')[0],
    });
    try {
      await identified;
    } catch (error) {
      socket.destroy();
      throw error;
    }
    return client;
  }

  private receive(line: string, identified: () => void, refused: (error: Error) => void): void {
    const msg = JSON.parse(line) as EngineMessage;
    switch (msg.type) {
      case 'welcome':
        writeProof(msg.proofDir, msg.nonce);
        this.channel.send({ type: 'prove' });
        return;
      case 'identified':
        this.user = msg.user;
        this.identified = true;
        identified();
        return;
      case 'view':
        this.subscriber?.view(msg.view);
        return;
      case 'event':
        this.subscriber?.event(msg.event);
        return;
      case 'snapshot':
        this.subscriber?.snapshot?.(msg);
        return;
      case 'caught-up':
        this.subscriber?.caughtUp?.(msg.seq);
        this.caughtUp?.();
        return;
      case 'live':
        this.output = { ...this.output, ...msg.live.output };
        this.subscriber?.live?.({ ...msg, live: { ...msg.live, output: this.output } });
        return;
      case 'say':
        this.subscriber?.say?.(msg.text);
        return;
      case 'stopped':
        this.stopped = new StepwiseError(msg.message, msg.kind);
        for (const w of this.waiting.values()) w.reject(this.stopped);
        this.waiting.clear();
        return;
      case 'done':
        this.waiting.get(msg.id)?.resolve(msg.result);
        this.waiting.delete(msg.id);
        return;
      case 'refused': {
        const error = new StepwiseError(msg.message, msg.kind ?? 'usage');
        if (msg.id !== undefined) {
          this.waiting.get(msg.id)?.reject(error);
          this.waiting.delete(msg.id);
        } else if (!this.identified) refused(error);
      }
    }
  }

  // Replays the run from `from`, then follows it; resolves when the replay is through.
  // With `snapshot`, the state as it is now comes instead of the replay.
  subscribe(subscriber: Subscriber, from = 0, snapshot = false): Promise<void> {
    this.subscriber = subscriber;
    this.output = {};
    const done = new Promise<void>((resolve) => (this.caughtUp = resolve));
    this.channel.send({ type: 'subscribe', from, ...(snapshot ? { snapshot } : {}) });
    return done;
  }

  request(body: Intent): Promise<unknown> {
    return this.call((id) => ({ type: 'intent', id, body }));
  }

  // A page of a step's log, read by the engine; undefined when the step has no readable log.
  async logPage(step: string, position: LogPosition, count: number): Promise<LogPage | undefined> {
    return ((await this.call((id) => ({ type: 'logPage', id, step, position, count }))) ?? undefined) as LogPage | undefined;
  }

  private call(message: (id: number) => ClientMessage): Promise<unknown> {
    if (this.gone) {
      return Promise.reject(this.stopped ?? new StepwiseError('the engine has ended: the run is paused or finished', 'paused'));
    }
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.channel.send(message(id));
    return answer;
  }

  // Resolves when the engine ends the connection (it ended) or close() was called.
  get ended(): Promise<void> {
    return this.closed;
  }

  close(): void {
    this.socket.end();
  }
}
