import { userInfo } from 'node:os';
import { coalescedReads } from '../db/coalesced-reads.js';
import type { DbBackend } from '../db/connection.js';
import type { LogPage, LogPosition } from '../engine/read-log-page.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { JournalEvent } from '../journal/events.js';
import { hostId } from '../journal/process-identity.js';
import type { EngineMessage, Intent, Request, Role, StaticView } from '../protocol/messages.js';
import { EngineViews } from '../store/engine-views.js';
import { ClientPresence, presenceRenewMs } from '../store/client-presence.js';
import { type IntentAnswer, IntentRows, parseSay } from '../store/intent-rows.js';
import { RunStore } from '../store/run-store.js';
import { readTeamRun } from '../store/team-run.js';
import type { RunClient, Subscriber } from './run-client.js';

export interface DbConnectOptions {
  // The team's state database; the client owns it from here and closes it.
  conn: DbBackend;
  runId: string;
  role: Role;
  // --operator: recorded beside the role.
  display?: string;
  env?: NodeJS.ProcessEnv;
}

type Live = Extract<EngineMessage, { type: 'live' }>;
type Waiting = { resolve: (value: unknown) => void; reject: (error: Error) => void };

// How often a client checks that the run's engine still holds its lease: an engine killed with
// kill -9 says nothing, its lease just runs out.
const leaseCheckMs = 5_000;

function payloadRun(payload: string): string {
  return payload.slice(0, payload.lastIndexOf(':'));
}

// A run's engine on any host, reached through the team's state database (team mode): events are
// read from stepwise.events, woken by LISTEN stepwise_events (the payload names only the run and
// seq, so a missed notification costs nothing: the next read goes on from the last seq); the view
// and live state from the row the engine publishes (stepwise.engine_views); every intent is a row
// of stepwise.intents the engine answers, done or refused with its sentence (and what it says on
// the way, heard on stepwise_says). While connected it is one of the engine's clients: its row of
// stepwise.clients, renewed every presenceRenewMs, keeps a paused engine serving it.
export class DbRunClient implements RunClient {
  readonly identity = 'database role';
  private readonly store: RunStore;
  private readonly views: EngineViews;
  private readonly intents: IntentRows;
  private readonly presence: ClientPresence;
  private presenceId?: number;
  private renewal?: NodeJS.Timeout;
  private readonly waiting = new Map<number, Waiting>();
  private readonly unlisten: Array<() => Promise<void>> = [];
  private subscriber?: Subscriber;
  // The last event given to the subscriber; undefined until the replay starts.
  private last?: number;
  private live = '';
  private timer?: NodeJS.Timeout;
  private gone?: StepwiseError;
  private endedNow!: () => void;
  readonly ended = new Promise<void>((resolve) => (this.endedNow = resolve));
  private readonly readEvents = coalescedReads(
    () => this.pump(),
    (error) => this.end(new StepwiseError(`the run could not be read: ${String(error)}`, 'stepFailed')),
  );

  private constructor(
    private readonly options: DbConnectOptions,
    private readonly engineId: string,
    readonly user: string,
  ) {
    this.store = new RunStore(options.conn);
    this.views = new EngineViews(options.conn);
    this.intents = new IntentRows(options.conn);
    this.presence = new ClientPresence(options.conn);
  }

  // Resolves once the run's engine is known to serve it: its lease held and its view published.
  static async connect(options: DbConnectOptions): Promise<DbRunClient> {
    const { conn, runId } = options;
    try {
      const { rows } = await conn.query<{ role: string }>('SELECT session_user AS role');
      const row = await new EngineViews(conn).read(runId);
      const lease = await new RunStore(conn).lease(runId);
      if (!row || row.endedAt || !lease || lease.expired || lease.engineId !== row.engineId) {
        throw new StepwiseError(
          `no engine is serving run ${runId} (it is paused or finished): \`stepwise resume ${runId}\` starts one`,
          'usage',
        );
      }
      const client = new DbRunClient(options, row.engineId, rows[0].role);
      await client.listen();
      await client.attach();
      return client;
    } catch (error) {
      await conn.close();
      throw error;
    }
  }

  private async listen(): Promise<void> {
    const { conn, runId } = this.options;
    const ours = (payload: string) => payloadRun(payload) === runId;
    this.unlisten.push(
      await conn.listen(
        'stepwise_events',
        (payload) => ours(payload) && void this.readEvents(),
        () => void this.readEvents(),
      ),
      await conn.listen(
        'stepwise_views',
        (payload) => payload === runId && void this.readLive(),
        () => void this.readLive(),
      ),
      await conn.listen(
        'stepwise_answers',
        (payload) => ours(payload) && void this.answer(Number(payload.slice(runId.length + 1))),
        () => {
          for (const id of this.waiting.keys()) void this.answer(id);
        },
      ),
      // Heard before the answer that follows it (the engine writes them in order), and only by
      // the client that asked.
      await conn.listen(
        'stepwise_says',
        (payload) => {
          const said = parseSay(runId, payload);
          if (said && this.waiting.has(said.id)) this.subscriber?.say?.(said.text);
        },
        () => {},
      ),
    );
    this.timer = setInterval(() => void this.checkLease(), leaseCheckMs);
    this.timer.unref();
  }

  // One of the engine's clients from now on, until this one ends (or stops renewing).
  private async attach(): Promise<void> {
    const env = this.options.env ?? process.env;
    this.presenceId = await this.presence.attach({
      runId: this.options.runId,
      clientRole: this.options.role,
      osUser: userInfo().username,
      host: hostId(env),
      display: this.options.display,
    });
    const id = this.presenceId;
    this.renewal = setInterval(() => void this.presence.renew(id).catch(() => {}), presenceRenewMs);
    this.renewal.unref();
  }

  subscribe(subscriber: Subscriber, from = 0, snapshot = false): Promise<void> {
    return this.follow(subscriber, from, snapshot).catch((error: unknown) => {
      throw error instanceof StepwiseError ? error : new StepwiseError(`the run could not be read: ${String(error)}`, 'stepFailed');
    });
  }

  private async follow(subscriber: Subscriber, from: number, snapshot: boolean): Promise<void> {
    const { runId } = this.options;
    const row = await this.views.read(runId);
    subscriber.view(row!.view as StaticView);
    if (snapshot) {
      // What happened while nobody was attached, as the engine kept it for the next one's summary.
      const unattended = (await this.ask({ type: 'unattended' })) as JournalEvent[];
      // From the run's stored snapshot on, as status reads it, not every event from the top.
      const { record, tail } = await readTeamRun(this.store, runId);
      const seq = tail.events.at(-1)?.seq ?? tail.from.seq;
      subscriber.snapshot?.({ type: 'snapshot', run: record.state!, seq, unattended });
      this.last = seq;
    } else this.last = Math.max(0, from - 1);
    this.subscriber = subscriber;
    await this.readEvents();
    subscriber.caughtUp?.(this.last);
    await this.readLive();
  }

  // The events after the last one given, in order: a notification only wakes this.
  private async pump(): Promise<void> {
    if (this.last === undefined || !this.subscriber) return;
    for (const row of await this.store.readEvents(this.options.runId, this.last)) {
      this.last = row.seq;
      this.subscriber.event(JSON.parse(row.line) as JournalEvent);
    }
  }

  private async readLive(): Promise<void> {
    const row = await this.views.readLive(this.options.runId).catch(() => undefined);
    if (!row || row.endedAt || row.engineId !== this.engineId) {
      // The engine has ended (or another took the run over): what it journaled and answered last
      // is read first.
      await this.readEvents();
      for (const id of [...this.waiting.keys()]) await this.answer(id);
      this.end();
      return;
    }
    const text = JSON.stringify(row.live);
    if (!row.live || text === this.live || this.last === undefined) return;
    this.live = text;
    this.subscriber?.live?.(row.live as Live);
  }

  private async checkLease(): Promise<void> {
    const lease = await this.store.lease(this.options.runId).catch(() => undefined);
    if (lease && !lease.expired && lease.engineId === this.engineId) return;
    await this.readEvents();
    this.end();
  }

  request(body: Intent): Promise<unknown> {
    return this.ask({ type: 'intent', body });
  }

  async logPage(step: string, position: LogPosition, count: number): Promise<LogPage | undefined> {
    return ((await this.ask({ type: 'logPage', step, position, count })) ?? undefined) as LogPage | undefined;
  }

  private async ask(request: Request): Promise<unknown> {
    if (this.gone) throw this.gone;
    const env = this.options.env ?? process.env;
    const id = await this.intents.ask({
      runId: this.options.runId,
      body: request,
      clientRole: this.options.role,
      osUser: userInfo().username,
      host: hostId(env),
      display: this.options.display,
    });
    const answered = new Promise<unknown>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    // The answer may have come before this process waited for it.
    void this.answer(id);
    return answered;
  }

  private async answer(id: number): Promise<void> {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    let answer: IntentAnswer | undefined;
    try {
      answer = await this.intents.answerOf(id);
    } catch (error) {
      waiting.reject(new StepwiseError(`the answer could not be read: ${String(error)}`, 'stepFailed'));
      this.waiting.delete(id);
      return;
    }
    if (!answer || !this.waiting.delete(id)) return;
    // What the engine journaled before it answered is read first, as on its socket.
    await this.readEvents();
    if (answer.answer === 'done') waiting.resolve(answer.result);
    else waiting.reject(new StepwiseError(answer.message, (answer.kind as StepwiseError['kind'] | undefined) ?? 'usage'));
  }

  // The engine has ended or this front end closes: the connection goes too.
  private end(error = new StepwiseError('the engine has ended: the run is paused or finished', 'paused')): void {
    if (this.gone) return;
    this.gone = error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
    clearInterval(this.timer);
    clearInterval(this.renewal);
    void (async () => {
      if (this.presenceId !== undefined) await this.presence.leave(this.presenceId).catch(() => {});
      for (const unlisten of this.unlisten) await unlisten().catch(() => {});
      await this.options.conn.close().catch(() => {});
    })().finally(() => this.endedNow());
  }

  close(): void {
    this.end();
  }
}
