import { goNoGo } from '../journal/forecast/go-no-go.js';
import type { EngineView, RollbackPlan } from '../engine/engine-api.js';
import { backfillResumePoint, interruptedRetry } from '../engine/interrupted-retry.js';
import { connectionWritten } from '../engine/step-rules.js';
import { formatTimeOfDay } from '../format/format-time.js';
import { type PhaseState, signerKind, signerOf, soakSignoffs } from '../journal/reducer.js';
import type { Step } from '../runbook/schema.js';
import { parseKey, phaseOfKey } from './checklist-rows.js';
import type { Dialog } from './dialog.js';
import { findStep } from './find-step.js';
import { markdownToText } from '../format/markdown-to-text.js';
import type { OperatorAction } from './operator-action.js';
import { phaseProgress } from '../journal/run-questions.js';
import { statusWord } from './step-symbol.js';

// What a key asks for, decided from the state alone: a dialog, an intent that needs none
// (read-only steps, gate checks), or a notice saying why not (about `step` while it runs).
export type Request =
  | { kind: 'dialog'; dialog: Dialog }
  | { kind: 'intent'; action: OperatorAction }
  | { kind: 'notice'; text: string; step?: string };


function label(view: EngineView, step: string): string {
  return `${view.numbers[step] ?? step} ${view.run.steps[step]?.title ?? step}`;
}

function phaseLabel(view: EngineView, phase: string): string {
  const index = view.run.phases.findIndex((p) => p.id === phase);
  return `${index + 1} ${view.run.phases[index]?.title ?? phase}`;
}

function notice(text: string, step?: string): Request {
  return { kind: 'notice', text, step };
}

function describeNext(view: EngineView): string {
  const next = view.next;
  if (!next || next.kind === 'done') return 'the run has nothing left to do';
  if (next.kind === 'gate') return `next is the gate of phase ${phaseLabel(view, next.phase)}`;
  return `next is ${label(view, next.step)}`;
}

function busy(view: EngineView): Request | undefined {
  const active = view.live.active;
  if (!active) return undefined;
  return notice(`${label(view, active.step)} is running: wait for it, or q to pause the run`, active.step);
}

function target(view: EngineView, def: Step | undefined): { text: string; production: boolean } {
  const written = def && connectionWritten(def, view.connections.map((c) => c.name));
  const conn = view.connections.find((c) => c.name === written);
  if (conn)
    return {
      text: `on ${conn.name} (${conn.target})${conn.production ? ' PRODUCTION' : ''}`,
      production: conn.production,
    };
  const production = view.connections.some((c) => c.production);
  return { text: production ? 'with a PRODUCTION connection open' : '', production };
}

// Running a step: the typed phrase, a confirmation, or nothing for a step that changes nothing.
function runRequest(view: EngineView, step: string, verb: 'Run' | 'Retry', extra: string[] = []): Request {
  const def = findStep(view.runbook.runbook, step);
  const state = view.run.steps[step];
  const where = target(view, def);
  const ponr = state.pointOfNoReturn
    ? [
        'This step is the point of no return: after it, rolling back needs more than reversing steps.',
        ...(view.forecast ? [goNoGo(view.forecast, view.run, step, Date.now(), `stepwise rehearse ${view.run.started.runbook.path}`).text] : []),
      ]
    : [];
  const text = {
    body: [[`${label(view, step)} (${state.kind})`, where.text].filter(Boolean).join(' '), ...ponr, ...extra],
    preview: view.preview[step],
    danger: where.production || state.pointOfNoReturn,
  };
  const action: OperatorAction = { type: 'run-step', step };
  const needs = confirmationNeeded(view, step);
  if (needs === 'phrase' && typeof def?.confirm === 'string') {
    return {
      kind: 'dialog',
      dialog: {
        kind: 'phrase',
        action,
        phrase: def.confirm,
        title: `${verb} ${label(view, step)}: type the phrase`,
        ...text,
      },
    };
  }
  if (needs === 'confirm') {
    return {
      kind: 'dialog',
      dialog: { kind: 'confirm', action, title: `${verb} ${label(view, step)}?`, ...text },
    };
  }
  return { kind: 'intent', action };
}

// What the engine asks before the step runs (for an interrupted step: once it is run again).
function confirmationNeeded(view: EngineView, step: string): 'confirm' | 'phrase' | undefined {
  const next = view.next;
  if (next?.kind !== 'step' || next.step !== step) return undefined;
  if (next.needs === 'interrupted') return next.then;
  return next.needs === 'confirm' || next.needs === 'phrase' ? next.needs : undefined;
}

// Who a sign-off is journaled as: the identity the engine verified (the Unix user, or in team
// mode the database role), with the display name (--operator) recorded beside it.
function signer(view: EngineView): string | undefined {
  if (!view.user) return undefined;
  const display = view.display && view.display !== view.user ? ` ("${view.display}")` : '';
  return `${view.identity ?? 'Unix user'} ${view.user}${display}`;
}

function signStepRequest(view: EngineView, step: string): Request {
  return {
    kind: 'dialog',
    dialog: {
      kind: 'note',
      action: { type: 'sign-step', step },
      title: `Sign off ${label(view, step)}`,
      body: ['Sign off only when the instruction below is done. Your name and the time are journaled.'],
      about: {
        label: 'instruction:',
        text: markdownToText(view.preview[step] ?? findStep(view.runbook.runbook, step)?.manual ?? ''),
      },
      label: 'note (optional)',
      required: false,
      signer: signer(view),
    },
  };
}

function gateRequest(view: EngineView, phase: string): Request {
  const next = view.next;
  if (next?.kind !== 'gate' || next.phase !== phase) {
    const state = view.run.phases.find((p) => p.id === phase);
    if (state?.gateStatus === 'passed')
      return notice(`the gate of phase ${phaseLabel(view, phase)} has passed`);
    if (!state?.gate) return notice(`phase ${phaseLabel(view, phase)} has no gate; ${describeNext(view)}`);
    return notice(
      `the gate of phase ${phaseLabel(view, phase)} opens when its steps are done; ${describeNext(view)}`,
    );
  }
  if (next.signoffsNeeded === 0) return { kind: 'intent', action: { type: 'sign-gate', phase } };
  const state = view.run.phases.find((p) => p.id === phase)!;
  // Checks that passed once are not run again.
  const checks = state.gateCheck?.ok ? 0 : (state.gate?.checks ?? 0);
  const steps = phaseProgress(state, view.run);
  return {
    kind: 'dialog',
    dialog: {
      kind: 'note',
      action: { type: 'sign-gate', phase },
      title: `Sign off the gate of phase ${phaseLabel(view, phase)}`,
      body: [
        `Signing says phase ${phaseLabel(view, phase)} is complete (${steps.done} of ${steps.total} steps ` +
          'done) and the run may go on.' +
          (checks ? ` The gate's ${checks === 1 ? 'check runs' : 'checks run'} first; a failure stops the sign-off.` : ''),
      ],
      about: { label: 'the gate:', text: gateFacts(view, state, next.signoffsNeeded).join('\n') },
      preview: checks ? view.gatePreview[phase] : undefined,
      label: 'note (optional)',
      required: false,
      signer: signer(view),
    },
  };
}

// A gate as the one signing it needs it: its checks and their last result, the sign-offs it
// needs, who signed already.
function gateFacts(view: EngineView, state: PhaseState, needed: number): string[] {
  const facts: string[] = [];
  const checks = state.gate?.checks ?? 0;
  if (checks > 0) {
    const what = checks === 1 ? '1 check' : `${checks} checks`;
    const failures = (state.gateCheck?.details?.failures as string[] | undefined) ?? [];
    if (!state.gateCheck) facts.push(`${what}: not run yet`);
    else if (state.gateCheck.ok) facts.push(`${what}: passed`);
    else facts.push(`${what}: failed last time${failures.length ? `: ${failures.join('; ')}` : ''}`);
  }
  const total = state.gate?.signoff ?? 0;
  // Team mode counts database roles; the first sign-off tells which this run counts.
  const kind = state.gateSignoffs[0] ? signerKind(state.gateSignoffs[0]) : 'Unix users';
  facts.push(
    total > 1
      ? `needs ${total} sign-offs by different ${kind}: ${total - needed} signed, ${needed} to go`
      : 'needs 1 sign-off',
  );
  // By the Unix user the engine verified, with the display name they gave when it differs.
  for (const s of state.gateSignoffs) {
    const who = signerOf(s) === s.operator ? s.operator : `${signerOf(s)} (${s.operator})`;
    facts.push(`- signed by ${who} at ${formatTimeOfDay(s.ts)}${s.note ? `: ${s.note}` : ''}`);
  }
  if (view.user && state.gateSignoffs.some((s) => signerOf(s) === view.user)) {
    facts.push(`you (${view.user}) signed already: another Unix user signs with \`stepwise approve\` in their own session`);
  }
  return facts;
}

export function requestEnter(view: EngineView, selection: string): Request {
  const sel = parseKey(selection);
  const isBusy = busy(view);
  if (isBusy) return isBusy;
  if (sel.kind !== 'step') {
    if (view.next?.kind === 'gate' && view.next.phase === sel.id) return gateRequest(view, sel.id);
    if (sel.kind === 'gate') return gateRequest(view, sel.id);
    return notice(`select a step with j/k; ${describeNext(view)}`);
  }
  const next = view.next;
  if (next?.kind !== 'step' || next.step !== sel.id) {
    const state = view.run.steps[sel.id];
    const what =
      state && state.status !== 'pending'
        ? `${label(view, sel.id)} is ${statusWord(state.status)}`
        : `${label(view, sel.id)} is not next`;
    return notice(`${what}; ${describeNext(view)}`);
  }
  if (next.needs === 'interrupted') return { kind: 'dialog', dialog: { kind: 'interrupted', step: sel.id } };
  if (next.needs === 'signoff') return signStepRequest(view, sel.id);
  return runRequest(view, sel.id, view.run.steps[sel.id].status === 'failed' ? 'Retry' : 'Run');
}

export function requestRetry(view: EngineView, selection: string): Request {
  const sel = parseKey(selection);
  const isBusy = busy(view);
  if (isBusy) return isBusy;
  const state = sel.kind === 'step' ? view.run.steps[sel.id] : undefined;
  if (!state || (state.status !== 'failed' && state.status !== 'interrupted')) {
    return notice('r retries a failed or interrupted step: select one');
  }
  if (state.status === 'interrupted')
    return { kind: 'dialog', dialog: { kind: 'interrupted', step: sel.id } };
  if (view.next?.kind !== 'step' || view.next.step !== sel.id)
    return notice(`${label(view, sel.id)} is not next; ${describeNext(view)}`);
  return runRequest(view, sel.id, 'Retry', [
    `Attempt ${state.attempts + 1}; the last one failed: ${state.error ?? 'see the log'}`,
  ]);
}

// The interrupted step's "retry": confirmed like any run, with the risk spelled out.
export function requestRetryInterrupted(view: EngineView, step: string): Request {
  const def = findStep(view.runbook.runbook, step);
  const state = view.run.steps[step];
  const retry = def ? interruptedRetry({ kind: state.kind, step: def }, state) : 'ask';
  const from = state.kind === 'backfill' ? backfillResumePoint(state) : undefined;
  const risk =
    retry === 'always'
      ? `It was interrupted; it only reads (${state.kind}), so running it again is safe.`
      : retry === 'ask'
        ? 'It was interrupted and may have partly run; it is not marked idempotent.'
        : state.kind === 'backfill'
          ? `It was interrupted; a backfill continues after its last committed batch${from ? ` (${from})` : ''}.`
          : def?.idempotent
            ? 'It was interrupted; it is idempotent, so running it again is safe.'
            : 'It was interrupted; its probe says it had not taken effect.';
  return runRequest(view, step, 'Retry', [risk]);
}

export function requestMarkDone(view: EngineView, step: string): Request {
  return {
    kind: 'dialog',
    dialog: {
      kind: 'note',
      action: { type: 'mark-done', step },
      title: `Mark ${label(view, step)} done`,
      body: [
        'Say how you know it took effect (checked by hand, seen in the log, ...). Journaled as your sign-off.',
      ],
      label: 'note (required)',
      required: true,
    },
  };
}

// Ending a soak early is a sign-off with a reason; it may stop the soak this engine is running.
function endSoakRequest(view: EngineView, step: string): Request {
  const people = soakSignoffs(view.run);
  const signed = view.run.steps[step].soak?.earlySignoffs.length ?? 0;
  return {
    kind: 'dialog',
    dialog: {
      kind: 'note',
      action: { type: 'end-soak', step },
      title: `End the soak ${label(view, step)} early`,
      body: [
        people > 1
          ? `Ending it early takes ${people} different Unix users (${signed} signed so far); each signs from their own session.`
          : 'The soak ends now, as if its time were up. Your name, the time and the reason are journaled.',
      ],
      label: 'reason (required)',
      required: true,
    },
  };
}

export function requestSignOff(view: EngineView, selection: string): Request {
  const sel = parseKey(selection);
  if (sel.kind === 'step' && view.run.steps[sel.id]?.status === 'soaking') return endSoakRequest(view, sel.id);
  const isBusy = busy(view);
  if (isBusy) return isBusy;
  if (sel.kind !== 'step') return gateRequest(view, sel.id);
  const state = view.run.steps[sel.id];
  if (state.kind !== 'manual')
    return notice(`s signs off manual steps and gates; ${label(view, sel.id)} is a ${state.kind} step`);
  if (view.next?.kind !== 'step' || view.next.step !== sel.id) {
    return notice(
      `${label(view, sel.id)} ${state.signoff ? 'is signed off' : 'is not next'}; ${describeNext(view)}`,
    );
  }
  return signStepRequest(view, sel.id);
}

export function requestSkip(view: EngineView, selection: string): Request {
  const sel = parseKey(selection);
  const isBusy = busy(view);
  if (isBusy) return isBusy;
  if (sel.kind !== 'step' || view.next?.kind !== 'step' || view.next.step !== sel.id) {
    return notice(`only the next step can be skipped; ${describeNext(view)}`);
  }
  return {
    kind: 'dialog',
    dialog: {
      kind: 'note',
      action: { type: 'skip', step: sel.id },
      title: `Skip ${label(view, sel.id)}`,
      body: ['A skipped step is never run nor rolled back. The reason is journaled with your name.'],
      preview: view.preview[sel.id],
      label: 'reason (required)',
      required: true,
    },
  };
}

// Asks what the engine's answer for the phase says: one confirmation listing the steps it will
// run (and which of them it stands for), or the engine's reason why it cannot run now.
export function requestRunPhase(view: EngineView, selection: string): Request {
  const isBusy = busy(view);
  if (isBusy) return isBusy;
  const phase = phaseOfKey(view.run, selection);
  if (!phase) return notice('select a phase or one of its steps');
  const plan = view.phaseRun;
  if (plan?.phase !== phase)
    return notice(`phase ${phaseLabel(view, phase)} has nothing to run now; ${describeNext(view)}`);
  if ('refused' in plan) return notice(`phase ${phaseLabel(view, phase)} cannot run on: ${plan.refused}`);
  const action: OperatorAction = { type: 'run-phase', phase, confirm: plan.confirm };
  const stops = plan.stopsBefore
    ? plan.stopsBefore.step
      ? `It stops before ${label(view, plan.stopsBefore.step)}: ${plan.stopsBefore.why}.`
      : `It stops at ${plan.stopsBefore.why}.`
    : plan.gate
      ? 'Then the gate passes (its checks run first).'
      : 'That is the end of the phase.';
  const production = view.connections.some((c) => c.production);
  return {
    kind: 'dialog',
    dialog: {
      kind: 'confirm',
      action,
      title: `Run the rest of phase ${phaseLabel(view, phase)}?`,
      body: [
        `Runs these steps in order${plan.confirm.length ? '; this one confirmation stands for those marked "confirm"' : ''}. A failure stops it.`,
        ...plan.steps.map(
          (id) => `  ${label(view, id)} (${view.run.steps[id].kind})${plan.confirm.includes(id) ? '  confirm' : ''}`,
        ),
        stops,
      ],
      danger: production,
    },
  };
}

export function requestRollback(view: EngineView, to?: string): Request {
  const isBusy = busy(view);
  if (isBusy) return isBusy;
  return { kind: 'dialog', dialog: { kind: 'rollback-plan', to } };
}

// After the plan: the phrase of every step passed back over that needed one to run (the engine
// refuses without them), then a confirmation, or a note when irreversible steps are passed with a
// sign-off. Typed phrases stand for the confirmation.
export function rollbackRequest(
  view: EngineView,
  plan: RollbackPlan,
  to?: string,
  typed: Record<string, string> = {},
): Request {
  const undo = plan.items.filter((i) => i.action !== 'pass-over').length;
  const steps = `${undo} step${undo === 1 ? '' : 's'}`;
  const signed = plan.items.filter((i) => i.action === 'signoff').map((i) => i.step);
  const names = (ids: string[]) => ids.map((id) => view.numbers[id] ?? id).join(', ');
  const confirm = plan.phrases.length > 0 ? typed : undefined;
  const action: OperatorAction = { type: 'rollback', to, confirm };
  const body = [
    `${steps} will be undone, newest first, each journaled. A failed rollback stops there; b retries it.`,
    ...(plan.pointOfNoReturnPassed.length
      ? [`Past the point of no return (${names(plan.pointOfNoReturnPassed)}): reversing steps may not be enough.`]
      : []),
  ];
  const untyped = plan.phrases.find(({ step }) => !Object.hasOwn(typed, step));
  if (untyped) {
    return {
      kind: 'dialog',
      dialog: {
        kind: 'rollback-phrase',
        plan,
        to,
        typed,
        step: untyped.step,
        phrase: untyped.phrase,
        title: `Roll back past ${label(view, untyped.step)}: type its phrase`,
        body: [
          ...body,
          `Running ${view.numbers[untyped.step] ?? untyped.step} needed this phrase typed; rolling back past it needs it again.`,
        ],
        danger: true,
      },
    };
  }
  if (signed.length > 0) {
    return {
      kind: 'dialog',
      dialog: {
        kind: 'note',
        action,
        title: `Roll back ${steps}?`,
        body: [...body, `Irreversible, passed with your sign-off (undo them by hand): ${names(signed)}.`],
        label: 'note for the sign-off (optional)',
        required: false,
        danger: true,
      },
    };
  }
  if (confirm) return { kind: 'intent', action };
  return { kind: 'dialog', dialog: { kind: 'confirm', action, title: `Roll back ${steps} now?`, body, danger: true } };
}
