import { stepwiseVersion } from '../format/stepwise-version.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { StepwiseError } from '../errors/stepwise-error.js';
import { checkConnectionExpect } from '../db/check-connection-expect.js';
import type { DbConnection } from '../db/connection.js';
import { openConnections } from '../db/open-connections.js';
import { type SessionTag, sessionTag } from '../db/session-tag.js';
import { endLeftoverSessions } from '../db/end-leftover-sessions.js';
import type { LeftoverSession } from '../journal/events.js';
import { describeHead } from '../journal/anchor-mismatch.js';
import { FileJournal, readFirstEvent, readJournal, type ReadResult } from '../journal/file-journal.js';
import { findRun } from '../journal/find-run.js';
import { type RunState, reduce, replay } from '../journal/reducer.js';
import { emptyRecord } from '../journal/run-record.js';
import { keepSnapshots, loadSnapshot, openRunJournal, type ReadRun } from '../journal/run-snapshot.js';
import type { Journal } from '../journal/journal.js';
import { hostId } from '../journal/process-identity.js';
import type { Lease } from '../store/run-store.js';
import type { LocatedRun } from '../store/team-run.js';
import { journalPath, newRunId, runDir, runIdBase, stepDefinitionsPath } from '../journal/state-dir.js';
import { createRenderer } from '../runbook/create-renderer.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { parseDuration } from '../runbook/parse-duration.js';
import { resolveVars } from '../runbook/resolve-vars.js';
import { stepDefinitions } from '../runbook/step-definitions.js';
import type { Renderer } from '../runbook/render.js';
import type { Runbook } from '../runbook/schema.js';
import { keepAnchor } from './anchor-keeper.js';
import { loadValidatedRunbook } from './load-validated-runbook.js';
import { checkAnchors } from './check-anchors.js';
import { refuseUnseededDemo } from './refuse-unseeded-demo.js';
import { buildPlan } from './build-plan.js';
import { forecastBasis } from './forecast/forecast-steps.js';
import { detectDrift } from './detect-drift.js';
import { Engine } from './engine.js';
import { liveIdentities } from './live-identities.js';
import { decidePins, type PinDecision } from './pinned-targets.js';
import { whyNotReopen } from './why-not-reopen.js';
import type { DriftItem } from './engine-api.js';
import { acquireRunLock, type RunLock } from '../journal/run-lock.js';
import { type Clock, systemClock } from './time/clock.js';

export interface MissingVar {
  name: string;
  prompt?: string;
  secret: boolean;
}

export interface OpenOptions {
  stateDir: string;
  operator?: string;
  vars: Record<string, string>;
  env: NodeJS.ProcessEnv;
  // Asks for vars declared with `prompt:` that have no value (the TUI); headless: undefined.
  promptVars?: (missing: MissingVar[]) => Promise<Record<string, string>>;
  // The engine's clock (soaks); the system clock unless a test moves it.
  clock?: Clock;
  // Every soak of this process lasts this long instead of its `for` (the demo).
  soakFor?: string;
  // Where embedded databases live when not under the state dir (a rehearsal's scratch copy).
  embeddedStateDir?: string;
  // A run by `stepwise rehearse`: journaled as such, and it notifies nobody.
  rehearsal?: boolean;
  // Team mode: the state database the run is journaled in (store/state-location.ts).
  stateUrl?: string;
  // What went wrong off the run's path, for the engine's log (team mode: a step log not yet
  // whole in the state database); unsaid without it.
  notice?: (text: string) => void;
}

export interface OpenedRun {
  engine: Engine;
  // Releases the run lock and closes the journal and connections.
  close(): Promise<void>;
}

const clockNow = (clock: Clock = systemClock) => () => clock.now();

export function resolveOperator(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.STEPWISE_OPERATOR ?? `${userInfo().username}@${hostname()}`;
}

function sshOrigin(env: NodeJS.ProcessEnv): string | undefined {
  return env.SSH_CONNECTION?.split(' ')[0];
}

function connectionUrl(
  def: NonNullable<Runbook['connections']>[string],
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (typeof def.url === 'string') return def.url;
  return def.url ? env[def.url.env] || undefined : undefined;
}

async function resolveAllVars(runbook: Runbook, cli: Record<string, string>, options: OpenOptions) {
  const resolved = resolveVars(runbook, { cli, env: options.env });
  if (resolved.missing.length === 0) return resolved;
  if (!options.promptVars) {
    const names = resolved.missing.map((m) => `--var ${m.name}=…`).join(' ');
    throw new StepwiseError(`missing values: give them with ${names}`, 'paused');
  }
  const answers = await options.promptVars(resolved.missing);
  return resolveVars(runbook, { cli: { ...cli, ...answers }, env: options.env });
}

// Connections, their advisory locks and `expect` guards: all before the first step. `leftovers`
// (a resume only) collects the sessions of the run's earlier attempts, ended first. A new run has
// no earlier attempt: a session with its tag is another bastion's run that took the same id in
// the same second, and ending it would hand this one the advisory lock that must refuse it.
async function connect(
  loaded: LoadedRunbook,
  options: OpenOptions,
  tag: SessionTag,
  renderer: Renderer,
  leftovers?: Record<string, LeftoverSession[]>,
): Promise<Record<string, DbConnection>> {
  const connections = await openConnections({
    connections: loaded.runbook.connections,
    stateDir: options.embeddedStateDir ?? options.stateDir,
    env: options.env,
    applicationName: tag.own,
  });
  try {
    for (const [name, conn] of Object.entries(connections)) {
      // Before the advisory lock: a session of the dead attempt may still hold it.
      const ended = leftovers ? await endLeftoverSessions(conn, tag) : [];
      if (leftovers && ended.length) leftovers[name] = ended;
      const key = `stepwise:${loaded.runbook.name}`;
      if (!(await conn.tryAdvisoryLock(key))) {
        const holder = (await conn.advisoryLockHolder(key)) ?? 'another session';
        throw new StepwiseError(
          `${loaded.runbook.name} is being driven on connection ${name} (${conn.target}) by ${holder}; ` +
            'wait for that run to finish',
          'locked',
        );
      }
      const expect = loaded.runbook.connections?.[name]?.expect;
      if (expect) {
        const database = expect.database === undefined ? undefined : renderer.text(expect.database);
        await checkConnectionExpect(conn, { ...expect, database });
      }
    }
    return connections;
  } catch (error) {
    await Promise.allSettled(Object.values(connections).map((c) => c.close()));
    throw error;
  }
}

function rendererFor(
  loaded: LoadedRunbook,
  vars: ReturnType<typeof resolveVars>,
  env: NodeJS.ProcessEnv,
  run: { id: string; operator: string },
) {
  const urls: Record<string, { url?: string }> = {};
  for (const [name, def] of Object.entries(loaded.runbook.connections ?? {}))
    urls[name] = { url: connectionUrl(def, env) };
  return createRenderer({ vars: vars.values, secretVars: vars.secretVars, connections: urls, run });
}

async function withLock<T>(lock: RunLock, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await lock.release();
    throw error;
  }
}

export async function startRun(runbookPath: string, options: OpenOptions): Promise<OpenedRun> {
  const loaded = await loadValidatedRunbook(runbookPath, options.stateDir);
  const operator = resolveOperator(options.operator, options.env);
  const vars = await resolveAllVars(loaded.runbook, options.vars, options);
  const definitions = JSON.stringify(stepDefinitions(loaded.runbook, loaded.files));
  // Team mode: the run's id is claimed in the state database as its journal opens, before
  // anything uses the id; refused there while another host drives the runbook.
  const team = options.stateUrl ? await openTeamStart(options, options.stateUrl, loaded.runbook.name, definitions) : undefined;
  const runId = team?.journal.runId ?? newRunId(options.stateDir, loaded.runbook.name);
  const lock = await acquireRunLock(options.stateDir, loaded.runbook.name, {
    runId,
    operator,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  }).catch((error: unknown) => {
    team?.journal.close();
    throw error;
  });
  return withLock(lock, async () => {
    try {
      return await openNewRun(loaded, runbookPath, options, { runId, operator, vars, definitions, lock, team });
    } catch (error) {
      team?.journal.close();
      throw error;
    }
  });
}

async function openNewRun(
  loaded: LoadedRunbook,
  runbookPath: string,
  options: OpenOptions,
  run: {
    runId: string;
    operator: string;
    vars: ReturnType<typeof resolveVars>;
    definitions: string;
    lock: RunLock;
    team?: { journal: Journal; role: string };
  },
): Promise<OpenedRun> {
  const { runId, operator, vars, definitions, lock } = run;
  const renderer = rendererFor(loaded, vars, options.env, { id: runId, operator });
  const sessions = sessionTag(runId, 1, operator, { host: hostId(options.env), pid: process.pid });
  const connections = await connect(loaded, options, sessions, renderer);
  await refuseUnseededDemo(loaded.runbook, runbookPath, connections).catch(async (error: unknown) => {
    await Promise.allSettled(Object.values(connections).map((c) => c.close()));
    throw error;
  });
  mkdirSync(runDir(options.stateDir, runId), { recursive: true });
  const identities = await liveIdentities(connections);
  const { journal, role } = run.team ?? createFileJournal(options, runId, definitions);
  const { window } = loaded.runbook;
  const started = journal.append({
    type: 'run.started',
    run_id: runId,
    runbook: {
      path: loaded.path,
      name: loaded.runbook.name,
      title: loaded.runbook.title ?? loaded.runbook.name,
      sha256: loaded.sha256,
    },
    step_hashes: loaded.stepHashes,
    plan: buildPlan(loaded.runbook),
    operator,
    host: hostId(options.env),
    ssh: sshOrigin(options.env),
    pid: process.pid,
    vars: renderer.maskedVars(),
    connections: Object.fromEntries(
      Object.entries(connections).map(([name, c]) => [
        name,
        {
          target: c.target,
          production: c.production && c.driver === 'postgres',
          embedded: c.driver === 'pglite',
          identity: identities[name],
        },
      ]),
    ),
    window: window
      ? {
          budget_ms: window.budget ? parseDuration(window.budget) : undefined,
          rollback_budget_ms: window.rollback_budget ? parseDuration(window.rollback_budget) : undefined,
          rollback_within_ms: window.rollback_within ? parseDuration(window.rollback_within) : undefined,
        }
      : undefined,
    version: stepwiseVersion,
    ...(options.rehearsal ? { rehearsal: true } : {}),
  });
  const state = replay([started])!;
  const anchor = keepAnchor(journal, connections, runId);
  const engine = new Engine({
    loaded,
    stateDir: options.stateDir,
    journal,
    state,
    connections,
    renderer,
    operator,
    user: userInfo().username,
    clock: options.clock,
    forecast: await forecastBasis(loaded, options.stateDir, runId, connections),
    env: options.env,
    soakFor: options.soakFor,
    rehearsal: options.rehearsal,
    anchor,
    role,
  });
  return { engine, close: closer(engine, lock) };
}

// A new run's journal in the state database: its id claimed there from today's readable one.
async function openTeamStart(options: OpenOptions, url: string, runbook: string, definitions: string) {
  const { createTeamJournal } = await import('../store/team-run.js');
  const { journal, role } = createTeamJournal({
    url,
    base: runIdBase(runbook),
    runbook,
    host: hostId(options.env),
    stepDefinitions: definitions,
    stateDir: options.stateDir,
    now: clockNow(options.clock),
    notice: options.notice ?? (() => {}),
  });
  return { journal, role };
}

// A new run's journal file, in the run's directory.
function createFileJournal(options: OpenOptions, runId: string, definitions: string): { journal: Journal; role?: string } {
  writeFileSync(stepDefinitionsPath(options.stateDir, runId), definitions);
  const journal = FileJournal.create(journalPath(options.stateDir, runId), clockNow(options.clock));
  keepSnapshots(journal, emptyRecord());
  return { journal };
}

function closer(engine: Engine, lock: RunLock): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () => {
    closed ??= engine.close().finally(() => lock.release());
    return closed;
  };
}

export interface ResumeOptions extends OpenOptions {
  ref?: string;
  // Decides about drift: headless returns the --accept-drift flag, the TUI asks.
  acceptDrift: (drift: DriftItem[]) => Promise<boolean>;
  // Rollback may open a finished run; resume may not.
  purpose: 'resume' | 'rollback';
  warn: (text: string) => void;
  // Connections moved on purpose to where they point now (--retarget CONN --reason TEXT).
  retarget?: { conns: string[]; reason: string };
}

// The run a resume means, in the state directory: its snapshot and runbook's name.
function locateFileRun(stateDir: string, ref: string | undefined): LocatedRun & { path: string } {
  const { runId, journalPath: path } = findRun(stateDir, ref);
  const snapshot = loadSnapshot(path);
  const first = snapshot ? undefined : readFirstEvent(path);
  const runbookName =
    snapshot?.record.state?.started.runbook.name ?? (first?.type === 'run.started' ? first.runbook.name : undefined);
  const damaged = runbookName === undefined ? (readJournal(path).problems[0]?.message ?? 'no run.started event') : undefined;
  return { runId, path, snapshot, runbookName, damaged };
}

// What a team's state database adds to reopening a run: the step definitions kept there, the
// engine whose lease was taken, and the journal connection's role.
interface TeamOpening {
  stepDefinitions?: string;
  previous?: Lease;
  role: string;
}

interface ReopenedJournal extends ReadRun {
  journal: Journal;
  team?: TeamOpening;
}

async function reopenJournal(options: ResumeOptions, located: LocatedRun & { path?: string }): Promise<ReopenedJournal> {
  const now = clockNow(options.clock);
  if (!options.stateUrl) return openRunJournal(located.path!, located.snapshot, now);
  const { openTeamJournal } = await import('../store/team-run.js');
  const runDirectory = runDir(options.stateDir, located.runId);
  mkdirSync(runDirectory, { recursive: true });
  const opened = openTeamJournal({
    url: options.stateUrl,
    runId: located.runId,
    snapshot: located.snapshot,
    host: hostId(options.env),
    runDir: runDirectory,
    now,
    notice: options.notice ?? (() => {}),
  });
  const { journal, tail, record, stepDefinitions, previous, role } = opened;
  return { journal, tail, record, team: { stepDefinitions, previous, role } };
}

export async function resumeRun(options: ResumeOptions): Promise<OpenedRun> {
  const located = options.stateUrl
    ? await (await import('../store/team-run.js')).locateTeamRun(options.stateUrl, options.ref)
    : locateFileRun(options.stateDir, options.ref);
  const { runId, runbookName } = located;
  const operator = resolveOperator(options.operator, options.env);
  if (runbookName === undefined) {
    const why = located.damaged ?? 'no run.started event';
    throw new StepwiseError(`journal of ${runId} is damaged (line 1: ${why}); run \`stepwise verify ${runId}\``, 'stepFailed');
  }
  const lock = await acquireRunLock(options.stateDir, runbookName, {
    runId,
    operator,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  });
  return withLock(lock, async () => {
    const { journal, tail: read, record, team } = await reopenJournal(options, located);
    if (read.tornTail) options.warn(`journal.jsonl:${read.tornTail.line}: ${read.tornTail.message}`);
    const problems = [...read.problems, ...record.history.rejected];
    if (problems.length) {
      journal.close();
      const first = problems[0];
      throw new StepwiseError(
        `journal of ${runId} is damaged (line ${first.line}: ${first.message}); run \`stepwise verify ${runId}\``,
        'stepFailed',
      );
    }
    const state = record.state;
    if (!state) throw new StepwiseError(`journal of ${runId} is empty`, 'stepFailed');
    const refused = whyNotReopen(state, options.purpose);
    if (refused) {
      journal.close();
      throw new StepwiseError(refused, 'usage');
    }
    try {
      const openings = read.events.filter((e) => e.type === 'run.started' || e.type === 'run.resumed').length;
      return await reopen(state, journal, read, sessionTag(runId, openings + 1, operator, state.started), options, lock, team);
    } catch (error) {
      journal.close();
      throw error;
    }
  });
}

// The step definitions kept when the run started; none for runs from before they were kept.
function readStepDefinitions(stateDir: string, runId: string): Record<string, string> | undefined {
  try {
    return parseDefinitions(readFileSync(stepDefinitionsPath(stateDir, runId), 'utf8'));
  } catch {
    return undefined;
  }
}

function parseDefinitions(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const kept: unknown = JSON.parse(text);
  return kept && typeof kept === 'object' ? (kept as Record<string, string>) : undefined;
}

// A journal behind its anchor (its last events removed) or differing from it (rewritten, chain
// recomputed) is not the run the databases saw: nothing may run on it.
async function refuseUnanchored(
  connections: Record<string, DbConnection>,
  journal: Journal,
  read: ReadResult,
  runId: string,
): Promise<void> {
  const verdicts = await checkAnchors(connections, runId, () => journal.readAll(), journal.point, read);
  const differs = verdicts.flatMap((v) => (v.state === 'differs' ? [`on ${v.conn}, ${v.problem}`] : []));
  if (differs.length === 0) return;
  throw new StepwiseError(
    `the journal of ${runId} (at ${describeHead(journal.point)}) does not hold the head its database anchored: ${differs.join('; ')}. ` +
      `Nothing ran; restore the journal, and see \`stepwise verify ${runId}\``,
    'usage',
  );
}

async function reopen(
  state: RunState,
  journal: Journal,
  read: ReadResult,
  sessions: SessionTag,
  options: ResumeOptions,
  lock: RunLock,
  team?: TeamOpening,
): Promise<OpenedRun> {
  const { runId } = state;
  const operator = resolveOperator(options.operator, options.env);
  const loaded = await loadValidatedRunbook(state.started.runbook.path, options.stateDir);
  const drift = await detectDrift(state, loaded.stepHashes, {
    before: team ? parseDefinitions(team.stepDefinitions) : readStepDefinitions(options.stateDir, runId),
    now: stepDefinitions(loaded.runbook, loaded.files),
  });
  if (drift.length && !(await options.acceptDrift(drift))) {
    const lines = drift
      .map((d) => [`  ${d.step}: ${d.change}${d.ran ? ' (already ran)' : ''}`, ...(d.diff ?? []).map((l) => `    ${l}`)].join('\n'))
      .join('\n');
    throw new StepwiseError(
      `the runbook changed since this run started:\n${lines}\nresume with --accept-drift to go on with the runbook as it is now`,
      'usage',
    );
  }
  // Non-secret values stay as the run started; secrets are never journaled, so they are asked again.
  const journaled = Object.fromEntries(Object.entries(state.started.vars).filter(([, v]) => v !== '***'));
  const vars = await resolveAllVars(loaded.runbook, { ...journaled, ...options.vars }, options);
  const renderer = rendererFor(loaded, vars, options.env, { id: runId, operator });
  const leftovers: Record<string, LeftoverSession[]> = {};
  const connections = await connect(loaded, options, sessions, renderer, leftovers);
  let pins: PinDecision;
  try {
    pins = decidePins(state, await liveIdentities(connections), options.retarget?.conns);
    if (pins.refused) throw new StepwiseError(pins.refused, 'usage');
    await refuseUnanchored(connections, journal, read, runId);
  } catch (error) {
    await Promise.allSettled(Object.values(connections).map((c) => c.close()));
    throw error;
  }
  for (const name of pins.unchanged) options.warn(`--retarget ${name}: it still points at its target; nothing to move`);
  const took = team?.previous;
  const resumedEvent = journal.append({
    type: 'run.resumed',
    operator,
    host: hostId(options.env),
    pid: process.pid,
    // A takeover: the engine whose lease ran out while the run was its.
    ...(took && took.host !== hostId(options.env) ? { took_over: { host: took.host, pid: took.pid } } : {}),
    ssh: sshOrigin(options.env),
    accepted_drift: drift.map((d) => d.step),
    purpose: options.purpose,
    ...(drift.length ? { plan: buildPlan(loaded.runbook), step_hashes: loaded.stepHashes } : {}),
    ...(Object.keys(pins.pin).length ? { pinned: pins.pin } : {}),
  });
  let resumed = reduce(state, resumedEvent);
  for (const move of pins.retarget) {
    const reason = options.retarget?.reason ?? '';
    resumed = reduce(resumed, journal.append({ type: 'connection.retargeted', ...move, reason, operator }));
  }
  const engine = new Engine({
    loaded,
    stateDir: options.stateDir,
    journal,
    state: resumed,
    connections,
    renderer,
    operator,
    user: userInfo().username,
    drift,
    clock: options.clock,
    forecast: await forecastBasis(loaded, options.stateDir, runId, connections),
    env: options.env,
    soakFor: options.soakFor,
    anchor: keepAnchor(journal, connections, runId),
    role: team?.role,
    priorHost: took?.host,
  });
  engine.recordLeftoverSessions(leftovers, options.warn);
  await engine.settleInterrupted(options.warn);
  return { engine, close: closer(engine, lock) };
}
