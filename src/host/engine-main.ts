import { appendFileSync, closeSync, mkdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { ExitCode, exitCodeFor } from '../cli/exit-codes.js';
import { onFatal } from '../errors/fatal.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { protocolVersion } from '../protocol/handshake.js';
import { driveHeadless } from '../cli/drive-headless.js';
import { type MissingVar, type OpenedRun, type OpenOptions, resumeRun, startRun } from '../engine/open-run.js';
import { openDemo } from '../cli/open-demo.js';
import { hostId } from '../journal/process-identity.js';
import { isClosedSocketWrite } from '../db/ignore-closed-socket-write.js';
import { EngineServer } from './engine-server.js';
import type { HostReply, HostRequest } from '../protocol/host-request.js';
import {
  chooseSocketPath,
  engineLogPath,
  engineRecordPath,
  liveEngineRecord,
  proofDir,
} from '../protocol/engine-record.js';

// The engine process: started detached by a front end (start-engine.ts) in a session of its own,
// so no terminal's hang-up reaches it. It owns the journal, the locks, the connections and the
// process worker, serves its clients on a Unix socket, and ends when the run is finished, paused
// with nobody attached, or it is told to (SIGTERM, SIGINT).

const readyFd = 3;

function reply(answer: HostReply): void {
  try {
    writeSync(readyFd, `${JSON.stringify(answer)}\n`);
    closeSync(readyFd);
  } catch {
    // The front end that started us is gone: it will find the run by its engine.json.
  }
}

type Opened = OpenedRun | { served: string };

function open(
  request: HostRequest,
  say: (text: string) => void,
  ask: OpenOptions['promptVars'],
  notice: (text: string) => void,
): Promise<Opened> {
  const common = { stateDir: request.stateDir, operator: request.operator, vars: request.vars, env: process.env, promptVars: ask, notice };
  if (request.kind === 'start') return startRun(request.runbook, { ...common, stateUrl: request.stateUrl });
  if (request.kind === 'demo') {
    return openDemo({
      ...common,
      runbook: request.runbook,
      reset: request.reset,
      soakFor: request.soakFor,
      warn: say,
      served: (runId) => liveEngineRecord(request.stateDir, runId) !== undefined,
    });
  }
  return resumeRun({
    ...common,
    ref: request.ref,
    acceptDrift: async () => request.acceptDrift,
    purpose: request.purpose,
    warn: (text) => say(`warning: ${text}`),
    retarget: request.retarget,
    stateUrl: request.stateUrl,
  });
}

async function openOrReply(request: HostRequest, early: string[], notice: (text: string) => void): Promise<Opened> {
  // Nobody is here to ask for a value: the front end that started us asks and starts again.
  let missing: MissingVar[] | undefined;
  const ask = async (vars: MissingVar[]): Promise<Record<string, string>> => {
    missing = vars;
    throw new StepwiseError(`missing values: ${vars.map((v) => v.name).join(', ')}`, 'paused');
  };
  try {
    return await open(request, (text) => early.push(text), ask, notice);
  } catch (error) {
    const known = error instanceof StepwiseError;
    const kind = known ? error.kind : 'stepFailed';
    reply({ ok: false, message: known ? error.message : `the engine could not open the run: ${String(error)}`, kind, missing });
    process.exit(exitCodeFor(kind));
  }
}

async function main(): Promise<void> {
  process.on('SIGXFSZ', () => {});
  // The process worker loads on the other core while this thread opens the run, instead of when
  // the first command starts.
  (await import('../engine/process/run-in-worker.js')).warmUpProcessWorker();
  // Read as a stream: a synchronous read of a pipe the writer has not filled yet fails (EAGAIN).
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const request = JSON.parse(text) as HostRequest;
  const early: string[] = [];
  // Said while the run runs: in the engine's log once it is known, kept for it until then.
  const notices: { to?: (text: string) => void } = {};
  const opened = await openOrReply(request, early, (text) => (notices.to ? notices.to(text) : early.push(text)));
  if ('served' in opened) {
    // The demo run this would open is served by a live engine: the front end attaches to it.
    const record = liveEngineRecord(request.stateDir, opened.served)!;
    reply({ ok: true, runId: opened.served, pid: record.pid, warnings: early, opened: 'attach' });
    process.exit(ExitCode.done);
  }
  const { engine } = opened;
  const runId = engine.run.runId;
  const logFile = engineLogPath(request.stateDir, runId);
  const log = (text: string) => appendFileSync(logFile, `${new Date().toISOString()} ${text}\n`);
  for (const line of early) log(line);
  notices.to = log;
  log(`engine ${process.pid} started for ${runId} by ${userInfo().username} (${request.kind})`);
  // postgres.js's write to a connection the server closed is dropped (db/ignore-closed-socket-write.ts).
  process.on('uncaughtException', (error) => {
    if (!isClosedSocketWrite(error)) log(`uncaught: ${error.stack ?? String(error)}`);
  });
  process.on('unhandledRejection', (error) => log(`unhandled: ${error instanceof Error ? error.stack : String(error)}`));

  const socket = chooseSocketPath(request.stateDir, runId);
  if (socket.dir) mkdirSync(socket.dir, { recursive: true, mode: 0o770 });
  const record = engineRecordPath(request.stateDir, runId);
  let closing: Promise<void> | undefined;
  // Team mode: what stops serving other hosts through the state database.
  let unserve: (() => Promise<void>) | undefined;
  // The run closed (journal, locks, connections) and engine.json gone: a new engine may open it.
  const closeRun = () =>
    (closing ??= (async () => {
      try {
        log(`engine ending (${engine.run.status})`);
      } catch {
        // The disk that refused the journal may refuse the log too: closing is what matters.
      }
      await opened.close();
      // After the journal: a front end on another host reads every event before it hears the end.
      await unserve?.().catch((error: unknown) => log(`serving other hosts ended badly: ${String(error)}`));
      rmSync(record, { force: true });
    })());
  onFatal((error) => {
    try {
      log(error.message);
    } catch {
      // As above.
    }
    // Nothing more can be journaled: the run closes (freeing its locks), then the clients hear
    // why and the process exits.
    void closeRun()
      .catch(() => {})
      .finally(() => {
        server.stop(error.message, error.kind);
        process.exit(exitCodeFor(error.kind));
      });
  });
  let ending: Promise<void> | undefined;
  const end = (code: number) => {
    ending ??= (async () => {
      await closeRun();
      await server.close();
      if (socket.dir) rmSync(socket.dir, { recursive: true, force: true });
      process.exit(code);
    })();
    return ending;
  };
  // `run --detach --yes`: the engine drives; when it needs a person it waits at that point, and
  // goes on by itself once someone (an `approve`, an attached operator) has moved the run past it.
  const drive = request.kind === 'start' ? request.drive : undefined;
  let driving = false;
  let waiting = false;
  // A client acted while the drive was deciding: it may have moved the run past where it stops.
  let actedMeanwhile = false;
  const driveOn = async (): Promise<void> => {
    driving = true;
    actedMeanwhile = false;
    const code = await driveHeadless(engine, {
      yes: drive!.yes,
      phrases: drive!.phrases,
      retry: [],
      markDone: [],
      say: (text) => log(`drive: ${text}`),
      waitForOperator: true,
    });
    driving = false;
    log(`drive stopped with exit code ${code}`);
    waiting = code === ExitCode.paused && engine.run.status === 'running';
    if (waiting && actedMeanwhile) return driveOn();
    server.options.onChange();
  };
  const server: EngineServer = new EngineServer({
    engine,
    runId,
    socketPath: socket.path,
    proofDir: proofDir(request.stateDir, runId),
    log,
    role: engine.teamRole,
    onChange: (acted) => {
      const { status } = engine.run;
      if (driving && acted) actedMeanwhile = true;
      if (driving || server.busy || engine.store.getState().live.active) return;
      if (status === 'succeeded' || status === 'rolled_back') void end(ExitCode.done);
      else if ((status === 'paused' || closing) && server.clients === 0) void end(ExitCode.paused);
      // Driving again where nothing moved stops at the same point without a new event.
      else if (waiting && acted) void driveOn();
    },
    // A `--plain` or `--json` client's drive leaves the run paused, finished, or (a rollback plan
    // only shown) as it was: with nobody else attached, nobody waits for this engine any more.
    driveEnded: async (others) => {
      if (others === 0 && !driving) await closeRun();
    },
  });
  await server.listen();
  const stateUrl = request.kind === 'demo' ? undefined : request.stateUrl;
  if (stateUrl) {
    // Team mode: front ends of other hosts reach the run through the state database. Without it
    // the run goes on, served on this host only. Loaded here: postgres.js only in team mode.
    const { serveThroughDatabase } = await import('./serve-through-database.js');
    unserve = await serveThroughDatabase({ url: stateUrl, runId, host: hostId(process.env), server, log }).catch(
      (error: unknown) => {
        log(`other hosts cannot reach this run: ${String(error)}`);
        return undefined;
      },
    );
  }
  writeFileSync(
    record,
    JSON.stringify({
      pid: process.pid,
      socket: socket.path,
      protocol: protocolVersion,
      host: hostname(),
      startedAt: new Date().toISOString(),
    }),
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log(`${signal}: pausing the run and ending`);
      void engine.pause(`engine stopped by ${signal}`).finally(() => end(ExitCode.interrupted));
    });
  }
  process.on('SIGHUP', () => log('SIGHUP ignored: the engine belongs to no terminal'));
  // A new run has journaled run.started alone.
  reply({ ok: true, runId, pid: process.pid, warnings: early, opened: engine.lastSeq > 1 ? 'resume' : 'start' });
  if (drive) await driveOn();
}

await main();
