import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { type ErrorKind, StepwiseError } from '../errors/stepwise-error.js';
import { volatileEvents, type JournalEvent } from '../journal/events.js';
import { type LineChannel, lineChannel } from '../protocol/line-channel.js';
import type { AttachedClient, Signer } from '../engine/engine-api.js';
import {
  type ClientMessage,
  clientMessageSchema,
  type EngineMessage,
  type Intent,
  readOnlyIntents,
  type Request,
  type Role,
  type StaticView,
} from '../protocol/messages.js';
import { protocolVersion } from '../protocol/handshake.js';
import { driveHeadless } from '../cli/drive-headless.js';
import { driveRollback } from '../cli/drive-rollback.js';
import type { Engine } from '../engine/engine.js';
import { newNonce, type VerifiedUser, verifyProof } from './verify-identity.js';

export interface ServerOptions {
  engine: Engine;
  runId: string;
  socketPath: string;
  // The directory clients prove their identity in (see verify-identity.ts).
  proofDir: string;
  log: (text: string) => void;
  // After anything that may end the engine's work: a client gone, an event, an intent answered
  // (`acted`: a client's intent was carried out).
  onChange: (acted?: boolean) => void;
  // A headless client's drive has ended, before it hears so; `others`: the clients besides it.
  // With nobody else, the engine closes the run first: the client's next command finds the run
  // lock free.
  driveEnded: (others: number) => Promise<void>;
  // Team mode: the engine's database role, as which its socket's clients sign.
  role?: string;
}

// Who asks, as the engine knows them, and where its answers go: a client of the socket, or (team
// mode) an intent row from another host (host/intent-rows.ts).
export interface Requester {
  role: Role;
  // Why this requester may only watch, when it is not its own choice (team mode: a database role
  // that may not add to the journal).
  watcherBecause?: string;
  by: Signer;
  say(text: string): void;
  answer(message: Extract<EngineMessage, { type: 'done' | 'refused' }>): void;
}

type LiveMessage = Extract<EngineMessage, { type: 'live' }>;

interface Session {
  channel: LineChannel;
  stage: 'hello' | 'proving' | 'ready';
  nonce?: string;
  hello?: Extract<ClientMessage, { type: 'hello' }>;
  user?: VerifiedUser;
  following: boolean;
}

const maxUnattended = 500;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Why a line is not a message this engine understands, in one sentence.
export function describeInvalid(value: unknown): string {
  const v = value as { type?: unknown; body?: { intent?: unknown } } | null;
  if (v?.type === 'intent' && typeof v.body?.intent === 'string')
    return `unknown or malformed intent "${v.body.intent}"`;
  if (typeof v?.type === 'string') return `unknown or malformed message "${v.type}"`;
  return 'a message must be a JSON object with a "type"';
}

// The engine's side of the socket: who is attached, what they may do, and what they hear.
// Every rule is the engine's; this only checks identity and role and passes intents on.
export class EngineServer {
  private readonly server: Server;
  private readonly sessions = new Set<Session>();
  private liveQueued = false;
  // The live message the following clients were last sent: the same one again (the store set
  // with what it held, as a step's first output flush does) is not sent, so no screen draws a
  // frame for nothing while a step prints.
  private lastLive = '';
  // The output tails the last live message carried, as the store's (unchanged) objects.
  private lastOutput: LiveMessage['live']['output'] = {};
  private pending = 0;
  // What happened while no operator or watcher was attached, for the next one's summary (the
  // newest, without the volatile ones); emptied when someone attaches.
  private unattended: JournalEvent[] = [];
  // Team mode: the front ends attached through the state database (host/follow-remote-clients.ts).
  private remote: AttachedClient[] = [];
  private readonly liveListeners = new Set<() => void>();

  constructor(readonly options: ServerOptions) {
    this.server = createServer((socket) => this.accept(socket));
    const { engine } = options;
    engine.onEvent((event) => {
      if (!this.anyoneFollowing() && !volatileEvents.has(event.type)) {
        this.unattended.push(event);
        if (this.unattended.length > maxUnattended) this.unattended.shift();
      }
      this.broadcast(`${JSON.stringify({ type: 'event', event } satisfies EngineMessage)}\n`);
      options.onChange();
    });
    // The store changes right after an event is reduced: the live message follows the event.
    engine.store.subscribe(() => this.queueLive());
  }

  private anyoneFollowing(): boolean {
    if (this.remote.length > 0) return true;
    for (const s of this.sessions) if (s.following) return true;
    return false;
  }

  // The socket's clients and those attached through the state database.
  get clients(): number {
    return this.sessions.size + this.remote.length;
  }

  // Team mode: who is attached through the state database now. A change is heard as a socket
  // client coming or leaving is: in the live state, and by the rule that may end the engine.
  setRemoteClients(clients: AttachedClient[]): void {
    if (JSON.stringify(clients) === JSON.stringify(this.remote)) return;
    this.remote = clients;
    this.queueLive();
    this.options.onChange();
  }

  // `listener` is called whenever the live state may have changed, as the socket's clients are
  // sent it; returns what unsubscribes.
  onLive(listener: () => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  // Intents still being carried out (a step running for a client that left counts).
  get busy(): boolean {
    return this.pending > 0;
  }

  // The engine stops at once (errors/fatal.ts): every client hears why as its connection ends.
  // A line this short goes to the socket at once, so it is not lost when the process exits next.
  stop(message: string, kind: ErrorKind): void {
    for (const s of this.sessions) s.channel.end({ type: 'stopped', message, kind } satisfies EngineMessage);
  }

  attached(): AttachedClient[] {
    const onSocket = [...this.sessions]
      .filter((s) => s.user && s.hello)
      .map((s) => ({
        user: s.user!.user,
        display: s.hello!.display,
        role: s.hello!.role,
        host: s.hello!.host,
        ssh: s.hello!.ssh,
      }));
    return [...onSocket, ...this.remote];
  }

  async listen(): Promise<void> {
    mkdirSync(this.options.proofDir, { recursive: true });
    // Anyone who may reach the socket may prove who they are here; sticky: nobody removes
    // another's proof.
    chmodSync(this.options.proofDir, 0o3770);
    rmSync(this.options.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    // Who may connect is decided by the file's owner and group, like the run directory.
    chmodSync(this.options.socketPath, 0o660);
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.channel.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.options.socketPath, { force: true });
  }

  private accept(socket: Socket): void {
    const session: Session = { stage: 'hello', following: false } as Session;
    session.channel = lineChannel(
      socket,
      (line) => void this.receive(session, line),
      () => this.send(session, { type: 'refused', message: 'line too long: a message is at most 1 MiB' }),
    );
    this.sessions.add(session);
    socket.on('close', () => {
      this.sessions.delete(session);
      if (session.user) this.options.log(`${session.user.user} (${session.hello?.role}) left`);
      this.queueLive();
      this.options.onChange();
    });
  }

  private send(session: Session, msg: EngineMessage): void {
    session.channel.send(msg);
  }

  private broadcast(line: string): void {
    const bytes = Buffer.from(line);
    for (const s of this.sessions) if (s.following) s.channel.sendRaw(bytes);
  }

  private queueLive(): void {
    if (this.liveQueued) return;
    this.liveQueued = true;
    queueMicrotask(() => {
      this.liveQueued = false;
      const line = `${JSON.stringify(this.liveChanges())}\n`;
      if (line !== this.lastLive) this.broadcast(line);
      this.lastLive = line;
      for (const listener of this.liveListeners) listener();
    });
  }

  // The live message for clients that follow: only the output tails that changed since the last
  // one (a client keeps the others); the rest whole. A step's tail stays the same object until
  // it has more output, and a long run's tails are most of the live state's bytes.
  private liveChanges(): LiveMessage {
    const whole = this.liveMessage();
    const output: LiveMessage['live']['output'] = {};
    for (const [step, tail] of Object.entries(whole.live.output)) {
      if (this.lastOutput[step] !== tail) output[step] = tail;
    }
    this.lastOutput = whole.live.output;
    return { ...whole, live: { ...whole.live, output } };
  }

  // What changes while the engine lives, as clients hear it.
  liveMessage(): LiveMessage {
    const view = this.options.engine.store.getState();
    return { type: 'live', live: view.live, next: view.next ?? { kind: 'done' }, phaseRun: view.phaseRun, clients: this.attached() };
  }

  // What does not change while the engine lives, sent once to each subscriber.
  staticView(): StaticView {
    const view = this.options.engine.store.getState();
    return {
      runbook: view.runbook,
      connections: view.connections,
      drift: view.drift,
      preview: view.preview,
      gatePreview: view.gatePreview,
      numbers: view.numbers,
      operator: view.operator,
      forecast: view.forecast,
    };
  }

  private async receive(session: Session, line: string): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.send(session, { type: 'refused', message: `not JSON: ${line.slice(0, 60)}` });
      return;
    }
    const parsed = clientMessageSchema.safeParse(value);
    if (!parsed.success) {
      const id = (value as { id?: unknown } | null)?.id;
      this.send(session, {
        type: 'refused',
        id: typeof id === 'number' ? id : undefined,
        message: describeInvalid(value),
      });
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'hello') return this.hello(session, msg);
    if (msg.type === 'prove') return this.prove(session);
    if (session.stage !== 'ready') {
      this.send(session, { type: 'refused', message: 'say hello and prove who you are first' });
      return;
    }
    if (msg.type === 'subscribe') return this.subscribe(session, msg.from, msg.snapshot === true);
    const { id, ...request } = msg;
    return this.answer(this.requester(session), id, request);
  }

  private requester(session: Session): Requester {
    const { hello, user } = session;
    const operator = hello!.display ?? user!.user;
    const by: Signer =
      this.options.role === undefined
        ? { operator, user: user!.user }
        : { operator, user: user!.user, role: this.options.role, host: hello!.host };
    return {
      role: hello!.role,
      by,
      say: (text) => this.send(session, { type: 'say', text }),
      answer: (message) => this.send(session, message),
    };
  }

  // Every request is answered here, whoever asks: the one place a role's rights are checked.
  async answer(requester: Requester, id: number, request: Request): Promise<void> {
    if (request.type === 'logPage') {
      const page = await this.options.engine.logPage(request.step, request.position, request.count);
      requester.answer({ type: 'done', id, result: page });
      return;
    }
    if (request.type === 'unattended') {
      // A front end attaching through the state database: what its summary shows, as a socket
      // client's snapshot carries it; from now on it follows.
      requester.answer({ type: 'done', id, result: this.unattended });
      this.unattended = [];
      return;
    }
    return this.intent(requester, id, request.body);
  }

  private hello(session: Session, msg: Extract<ClientMessage, { type: 'hello' }>): void {
    if (session.stage !== 'hello') {
      this.send(session, { type: 'refused', message: 'hello was already said on this connection' });
      return;
    }
    if (msg.protocol !== protocolVersion) {
      this.send(session, {
        type: 'refused',
        message:
          `this engine speaks protocol ${protocolVersion} and the client ${msg.protocol}: ` +
          'attach with the stepwise version that started the run',
        kind: 'usage',
      });
      session.channel.close();
      return;
    }
    session.hello = msg;
    session.nonce = newNonce();
    session.stage = 'proving';
    this.send(session, {
      type: 'welcome',
      protocol: protocolVersion,
      runId: this.options.runId,
      nonce: session.nonce,
      proofDir: this.options.proofDir,
    });
  }

  private async prove(session: Session): Promise<void> {
    if (session.stage !== 'proving' || !session.nonce) {
      this.send(session, { type: 'refused', message: 'prove comes once, after welcome' });
      return;
    }
    const verified = await verifyProof(this.options.proofDir, session.nonce);
    session.nonce = undefined;
    if (typeof verified === 'string') {
      this.send(session, { type: 'refused', message: verified, kind: 'usage' });
      session.channel.close();
      return;
    }
    session.user = verified;
    session.stage = 'ready';
    const role: Role = session.hello!.role;
    this.options.log(`${verified.user} (uid ${verified.uid}) attached as ${role} from ${session.hello!.host}`);
    this.send(session, { type: 'identified', user: verified.user, uid: verified.uid, role });
    this.queueLive();
  }

  // Replay from `from`, then follow: read and registered in one turn, so nothing falls between.
  private subscribe(session: Session, from: number, snapshot: boolean): void {
    const { engine } = this.options;
    this.send(session, { type: 'view', view: this.staticView() });
    let last = engine.lastSeq;
    if (snapshot) {
      this.send(session, { type: 'snapshot', run: engine.run, seq: last, unattended: this.unattended });
    } else {
      const events = engine.readJournal();
      for (const event of events) {
        last = event.seq;
        if (event.seq >= from) session.channel.sendRaw(`${JSON.stringify({ type: 'event', event })}\n`);
      }
    }
    this.send(session, { type: 'caught-up', seq: last });
    // The live state now, whether or not the others hear it again.
    this.send(session, this.liveMessage());
    session.following = true;
    this.unattended = [];
    this.queueLive();
  }

  private async intent(requester: Requester, id: number, body: Intent): Promise<void> {
    if (requester.role === 'watcher' && !readOnlyIntents.has(body.intent)) {
      requester.answer({
        type: 'refused',
        id,
        message: `${body.intent} refused: ${
          requester.watcherBecause ?? `watching is read-only; \`stepwise attach ${this.options.runId}\` to act on the run`
        }`,
      });
      return;
    }
    this.pending++;
    let acted = false;
    const drive = body.intent === 'drive' || body.intent === 'driveRollback';
    // Whoever asks for a drive is attached (on the socket, or through the database with its
    // presence row), so it is one of the clients.
    const others = () => Math.max(0, this.clients - 1);
    try {
      const result = await this.carryOut(requester, body);
      acted = true;
      if (drive) await this.options.driveEnded(others());
      requester.answer({ type: 'done', id, result });
    } catch (error) {
      if (drive) await this.options.driveEnded(others());
      if (error instanceof StepwiseError) {
        requester.answer({ type: 'refused', id, message: error.message, kind: error.kind });
      } else {
        this.options.log(`intent ${body.intent} failed: ${error instanceof Error ? error.stack : message(error)}`);
        requester.answer({
          type: 'refused',
          id,
          message: `the engine failed: ${message(error)} (details in engine.log)`,
          kind: 'stepFailed',
        });
      }
    } finally {
      this.pending--;
      this.options.onChange(acted);
    }
  }

  private carryOut(requester: Requester, body: Intent): Promise<unknown> | unknown {
    const { engine } = this.options;
    const { by, say } = requester;
    switch (body.intent) {
      case 'runStep':
        return engine.runStep(body.step, body.confirmation);
      case 'runPhase':
        return engine.runPhase(body.phase, body.confirmation);
      case 'signStep':
        return engine.signStep(body.step, body.note, by);
      case 'signGate':
        return engine.signGate(body.phase, body.note, by);
      case 'skip':
        return engine.skip(body.step, body.reason);
      case 'markDone':
        return engine.markDone(body.step, body.note);
      case 'endSoak':
        return engine.endSoak(body.step, body.reason, by);
      case 'rollbackPlan':
        return engine.rollbackPlan(body.to);
      case 'rollback':
        return engine.rollback({ to: body.to, note: body.note, pastWindow: body.pastWindow, confirm: body.confirm });
      case 'cancel':
        return engine.cancel();
      case 'checkTargets':
        return engine.requirePinnedTargets();
      case 'pause':
        return engine.pause(body.reason, { afterStep: body.afterStep });
      case 'backfillControl':
        return engine.backfillControl(body.step, body.control);
      case 'drive':
        return driveHeadless(engine, {
          yes: body.yes,
          retry: body.retry,
          markDone: body.markDone,
          phrases: body.phrases,
          endSoak: body.endSoak,
          by,
          say,
        });
      case 'driveRollback':
        return driveRollback(engine, {
          yes: body.yes,
          to: body.to,
          pastWindow: body.pastWindow,
          phrases: body.phrases,
          say,
        });
    }
  }
}
