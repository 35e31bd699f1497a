// `npm run screenshots [queue-migration|failed-check|soak|approve]`: drives the built TUI in tmux (120x36, TERM=xterm so it uses the 16
// named colours), captures real screens with their colours and writes screenshots/*.png.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForEvent } from '../e2e/journal-watch.js';
import { endEngines } from '../helpers/engine-watch.js';
import { alice, bob, canSwitchUsers, cliAs, group, shareWithGroup } from '../helpers/unix-users.js';
import { TmuxSession } from '../e2e/tmux-session.js';
import { screenToSvg, svgToPng } from './screen-to-png.js';

const root = resolve(import.meta.dirname, '..', '..');
const outDir = join(root, 'screenshots');
const ordersRunbook = join(import.meta.dirname, 'orders-check', 'runbook.yaml');
const trackingRunbook = join(root, 'runbooks', 'task-tracking', 'runbook.yaml');
const cutoverRunbook = join(import.meta.dirname, 'payments-cutover', 'runbook.yaml');
// The demo's first start seeds 120,000 rows into a new embedded database.
const startTimeout = 120_000;

function session(): TmuxSession {
  return new TmuxSession({ term: 'xterm', env: { STEPWISE_OPERATOR: 'alice@bastion' } });
}

async function save(tmux: TmuxSession, target: string, name: string): Promise<void> {
  const png = await svgToPng(screenToSvg(tmux.screen(target, { escapes: true }), tmux.size.width));
  const path = join(outDir, `${name}.png`);
  writeFileSync(path, png);
  console.log(`wrote ${path} (${Math.round(png.length / 1024)} KB)`);
}

async function runPhase(tmux: TmuxSession, target: string, phase: string): Promise<void> {
  tmux.keys(target, 'a');
  await tmux.waitFor(target, `Run the rest of phase ${phase}`);
  tmux.keys(target, 'y');
}

// The operator halves the backfill's batch size with `-` until it is at most `limit` rows. The
// detail pane shows the size the next batch uses, which the batch sizer may have adapted below
// what the notice says was asked: each press waits until the pane shows a smaller size and
// goes by what the pane shows.
async function shrinkBatches(tmux: TmuxSession, target: string, limit: number): Promise<void> {
  const batch = /batch ([\d,]+) · /;
  const shown = (screen: string) => Number(screen.match(batch)?.[1].replaceAll(',', '') ?? Number.POSITIVE_INFINITY);
  let size = shown(await tmux.waitFor(target, batch));
  while (size > limit) {
    tmux.keys(target, '-');
    await tmux.waitFor(target, /batch size ([\d,]+) rows from the next batch/);
    const deadline = Date.now() + 20_000;
    while (shown(tmux.screen(target)) >= size && Date.now() < deadline) await sleep(100);
    size = shown(tmux.screen(target));
  }
}

async function queueMigration(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-demo-'));
  const tmux = session();
  try {
    const first = tmux.start(['demo', '--reset', '--state-dir', stateDir]);
    await tmux.waitFor(first, 'enter run', startTimeout);

    await runPhase(tmux, first, '1 Preparation');
    await tmux.waitFor(first, 'next: s signs off the gate');
    tmux.keys(first, 's');
    await tmux.waitFor(first, 'Sign off the gate of phase 1');
    tmux.type(first, 'counts match the change ticket CHG-1234');
    await tmux.waitFor(first, 'CHG-1234');
    await save(tmux, first, 'sign-off');
    tmux.keys(first, 'Enter');
    await tmux.waitFor(first, /1 Preparation +✔ 7\/7/);

    // The demo's backfill takes about a second. As an operator would, pause it (p), pick
    // smaller batches (-) and resume it (p), so it runs slowly enough to watch.
    await runPhase(tmux, first, '2 Dual-write');
    await waitForEvent(stateDir, (e) => e.type === 'step.started' && e.step === 'backfill-queue');
    await tmux.waitFor(first, 'p pause');
    tmux.keys(first, 'p');
    await tmux.waitFor(first, /paused after batch \d+/);
    await shrinkBatches(tmux, first, 1000);
    tmux.keys(first, 'p');
    await tmux.waitFor(first, / [3-6]\d% {2}/, 60_000);
    await save(tmux, first, 'backfill');

    tmux.keys(first, 'q');
    await tmux.waitFor(first, 'Quit while a step runs?');
    tmux.keys(first, 'y');
    await tmux.waitForExit(first);

    // `demo` again resumes the demo's run with its short soaks (`resume` would soak for real).
    const second = tmux.newWindow(['demo', '--state-dir', stateDir]);
    await tmux.waitFor(second, 'what ran:', startTimeout);
    await save(tmux, second, 'resume');
    tmux.keys(second, 'Enter');
    await tmux.waitFor(second, 'r retry');
    tmux.keys(second, 'r');
    await waitForEvent(stateDir, (e) => e.type === 'step.succeeded' && e.step === 'backfill-queue', 60_000);
    await runPhase(tmux, second, '2 Dual-write');
    // The operator detaches while the phase runs (Ctrl+C, enter): the engine carries on to the
    // gate; `stepwise attach` opens on what happened meanwhile.
    tmux.keys(second, 'C-c');
    await tmux.waitFor(second, 'Leave this screen?');
    tmux.keys(second, 'Enter');
    await tmux.waitForExit(second);
    await waitForEvent(stateDir, (e) => e.type === 'step.succeeded' && e.step === 'consistency', 120_000);
    const third = tmux.newWindow(['attach', '--state-dir', stateDir]);
    await tmux.waitFor(third, 'While nobody was attached', startTimeout);
    await save(tmux, third, 'attach');
    tmux.keys(third, 'Enter');
    await tmux.waitFor(third, 'next: s signs off the gate', 60_000);
    tmux.keys(third, 'k');
    await tmux.waitFor(third, '2.8 Legacy and queue rows are identical ── compare');
    await save(tmux, third, 'checklist');

    tmux.keys(third, 'b');
    await tmux.waitFor(third, 'Rollback plan');
    await save(tmux, third, 'rollback-plan');
    tmux.keys(third, 'Escape');
    tmux.keys(third, 'q');
    await tmux.waitForExit(third);
  } finally {
    await tmux.kill();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function failedCheck(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-demo-'));
  const tmux = session();
  try {
    const pane = tmux.start(['demo', '--reset', '--runbook', ordersRunbook, '--state-dir', stateDir]);
    await tmux.waitFor(pane, 'enter run', startTimeout);
    await runPhase(tmux, pane, '1 Pre-flight checks');
    await tmux.waitFor(pane, 'r retry');
    await save(tmux, pane, 'failed-check');
    tmux.keys(pane, 'q');
    await tmux.waitForExit(pane);
  } finally {
    await tmux.kill();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

// A week of parallel running, soaking (shortened by the demo), with the forecast that an
// earlier rehearsal of the runbook gives in the header.
async function soakAndForecast(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-demo-'));
  const tmux = session();
  const small = ['--var', 'demo_rows=500'];
  try {
    const rehearsal = tmux.start(['rehearse', trackingRunbook, '--state-dir', stateDir, ...small]);
    if ((await tmux.waitForExit(rehearsal, 300_000)) !== 0) throw new Error(tmux.screen(rehearsal));
    const pane = tmux.newWindow(['demo', '--reset', '--runbook', trackingRunbook, '--soak', '30m', '--state-dir', stateDir, ...small]);
    await tmux.waitFor(pane, 'enter run', startTimeout);
    await runPhase(tmux, pane, '1 ');
    await tmux.waitFor(pane, 'next: s signs off the gate', 60_000);
    tmux.keys(pane, 's');
    await tmux.waitFor(pane, 'Sign off the gate of phase 1');
    tmux.type(pane, 'backup checked');
    tmux.keys(pane, 'Enter');
    for (const phase of ['2 ', '3 ', '4 ']) {
      await tmux.waitFor(pane, 'a run phase', 60_000);
      await runPhase(tmux, pane, phase);
      if (phase === '4 ') break;
      await tmux.waitFor(pane, new RegExp(`${phase.trim()} .*✔`), 60_000);
    }
    await tmux.waitFor(pane, 'soaking', 60_000);
    await save(tmux, pane, 'soak');
    tmux.keys(pane, 'C-c');
    await tmux.waitFor(pane, 'Leave this screen?');
    tmux.keys(pane, 'Enter');
    await tmux.waitForExit(pane);
  } finally {
    await tmux.kill();
    await endEngines(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

// A gate that needs two people: alice starts the run detached (--yes), the engine signs the gate
// as her and waits; bob, another Unix user at his own terminal, attaches and opens the sign-off,
// which shows who signed already and that his signature is the one still needed.
async function approve(): Promise<void> {
  if (!canSwitchUsers) throw new Error('the approve screenshot needs two Unix users: run it as root');
  const stateDir = mkdtempSync(join(tmpdir(), 'stepwise-approve-'));
  shareWithGroup(stateDir);
  const tmux = new TmuxSession({
    term: 'xterm',
    env: { STEPWISE_OPERATOR: 'bob', HOME: stateDir },
    user: { name: bob, group },
  });
  try {
    const started = await cliAs(alice, ['run', cutoverRunbook, '--detach', '--yes', '--operator', 'alice'], { stateDir });
    if (started.exitCode !== 0) throw new Error(started.all);
    await waitForEvent(stateDir, (e) => e.type === 'gate.signed');
    const pane = tmux.start(['attach', '--state-dir', stateDir]);
    await tmux.waitFor(pane, 'enter: the checklist', startTimeout);
    tmux.keys(pane, 'Enter');
    await tmux.waitFor(pane, 'next: s signs off the gate');
    tmux.keys(pane, 's');
    await tmux.waitFor(pane, 'Sign off the gate of phase 1');
    tmux.type(pane, 'balances compared with alice on the bridge call');
    await tmux.waitFor(pane, 'bridge call');
    await save(tmux, pane, 'approve');
    tmux.keys(pane, 'Escape');
  } finally {
    await tmux.kill();
    await endEngines(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

mkdirSync(outDir, { recursive: true });
const only = process.argv[2];
if (!only || only === 'queue-migration') await queueMigration();
if (!only || only === 'failed-check') await failedCheck();
if (!only || only === 'soak') await soakAndForecast();
if (!only || only === 'approve') await approve();
