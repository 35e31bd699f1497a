import { Box } from 'ink';
import { useState } from 'react';
import { useStore } from 'zustand';
import type { EngineHandle, EngineView, RollbackPlan } from '../../engine/engine-api.js';
import { parseKey } from '../checklist-rows.js';
import { frameHeight, paneWidths, smallest } from '../compute-layout.js';
import { currentNotice, type Notice } from '../current-notice.js';
import type { Dialog } from '../dialog.js';
import { formatCount } from '../../format/format-count.js';
import { useChecklistSelection } from '../hooks/use-checklist-selection.js';
import { useKeys } from '../hooks/use-keys.js';
import { useClock } from '../hooks/use-clock.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { useTheme } from '../hooks/use-theme.js';
import { dialogKeyHints, mainKeyHints, type Screen, screenKeyHints } from '../key-hints.js';
import { headerLines } from '../lines/header-lines.js';
import { keyBarLine } from '../lines/key-bar-line.js';
import { splitBottomRule, titledRule } from '../lines/rule-lines.js';
import { currentBatchSize, nextBatchSize } from '../next-batch-size.js';
import { type Collected, type OperatorAction, performAction } from '../operator-action.js';
import {
  type Request,
  requestEnter,
  requestMarkDone,
  requestRetry,
  requestRetryInterrupted,
  requestRollback,
  requestRunPhase,
  requestSignOff,
  requestSkip,
  rollbackRequest,
} from '../operator-requests.js';
import { type Line, seg } from '../styled-line.js';
import type { TuiResult } from '../tui-result.js';
import { AttachSummary } from './attach-summary.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { DriftDialog } from './drift-dialog.js';
import { HelpView } from './help-view.js';
import { type InterruptChoice, InterruptDialog } from './interrupt-dialog.js';
import { type InterruptedChoice, InterruptedDialog } from './interrupted-dialog.js';
import { LinesBlock } from './lines-block.js';
import { LogView } from './log-view.js';
import { MainPanes } from './main-panes.js';
import { NoteDialog } from './note-dialog.js';
import { PhraseDialog } from './phrase-dialog.js';
import { QuitDialog } from './quit-dialog.js';
import { ResumeSummary } from './resume-summary.js';
import { RollbackPlanDialog } from './rollback-plan-dialog.js';

export type TuiMode = 'run' | 'resume' | 'rollback' | 'attach';

export interface RunScreenProps {
  engine: EngineHandle;
  mode: TuiMode;
  warnSsh: boolean;
  rollbackTo?: string;
  onExit: (result: TuiResult) => void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// While a step runs the spinner turns at this pace; the window timer counts seconds.
const spinnerMs = 300;

function isRunning(view: EngineView): boolean {
  return view.live.active !== undefined || Object.values(view.run.steps).some((s) => s.status === 'running');
}

function isFinished(view: EngineView): boolean {
  return view.run.status === 'succeeded' || view.run.status === 'rolled_back' || view.next?.kind === 'done';
}

// The dialogs a resumed run opens with: drift first, then an interrupted step.
function startupDialog(view: EngineView, driftSeen: boolean): Dialog | undefined {
  if (!driftSeen && view.drift.length > 0) return { kind: 'drift' };
  if (view.next?.kind === 'step' && view.next.needs === 'interrupted')
    return { kind: 'interrupted', step: view.next.step };
  return undefined;
}

// The whole screen of a run: header, checklist and detail (or a dialog, the log, help, the
// resume summary), notice line and key bar; keys turn into dialogs and intents.
export function RunScreen({ engine, mode, warnSsh, rollbackTo, onExit }: RunScreenProps) {
  const theme = useTheme();
  const view = useStore(engine.store);
  const size = useTerminalSize();
  const now = useClock(isRunning(view) ? spinnerMs : 1000);
  const [screen, setScreen] = useState<Screen>(mode === 'resume' || mode === 'attach' ? mode : 'main');
  const [dialog, setDialog] = useState<Dialog | undefined>(() =>
    mode === 'rollback'
      ? { kind: 'rollback-plan', to: rollbackTo }
      : mode === 'run'
        ? startupDialog(view, false)
        : undefined,
  );
  const [logStep, setLogStep] = useState<string | undefined>();
  const [notice, setNotice] = useState<Notice | undefined>();
  const [quitting, setQuitting] = useState(false);

  const { selected, rows, move, follow } = useChecklistSelection(view);
  // Keys act on the store as it is now: it may have moved on since the last render.
  const latest = () => engine.store.getState();
  const key = parseKey(selected);
  const selectedStep = key.kind === 'step' ? key.id : undefined;

  const launch = (action: OperatorAction, collected?: Collected) => {
    setDialog(undefined);
    setNotice(undefined);
    follow();
    performAction(engine, action, collected).catch((error) =>
      setNotice({ level: 'error', text: message(error) }),
    );
  };

  const handle = (request: Request) => {
    // A watcher's keys never reach a dialog: nothing it would lead to is the watcher's to do.
    if (view.readOnly && request.kind !== 'notice')
      return setNotice({ level: 'warn', text: `watching is read-only: \`stepwise attach ${view.run.runId}\` to act on the run` });
    if (request.kind === 'notice') setNotice({ level: 'warn', text: request.text, step: request.step });
    else if (request.kind === 'dialog') setDialog(request.dialog);
    else launch(request.action);
  };

  const quitNow = (reason = 'quit') => {
    setDialog(undefined);
    if (isFinished(latest())) return onExit({ exit: 'done' });
    setQuitting(true);
    setNotice({
      level: 'info',
      text: latest().live.active ? 'cancelling the step and pausing the run…' : 'pausing the run…',
    });
    engine.pause(reason).then(
      () => onExit({ exit: 'paused' }),
      () => onExit({ exit: 'quit' }),
    );
  };

  const requestQuit = () => {
    if (view.readOnly) return onExit({ exit: 'detached' });
    if (latest().live.active) setDialog({ kind: 'quit' });
    else quitNow();
  };

  // A detached engine answers over its socket: a refusal (a watcher's) shows as the notice.
  const steer = (step: string, control: { paused?: boolean; batchSize?: number }) =>
    Promise.resolve(engine.backfillControl(step, control)).catch((error: unknown) =>
      setNotice({ level: 'error', text: message(error) }),
    );

  const backfillKey = (input: string) => {
    const step = selectedStep ? latest().run.steps[selectedStep] : undefined;
    if (step?.kind !== 'backfill' || latest().live.active?.step !== step.id) {
      return setNotice({
        level: 'warn',
        text: 'p, + and - steer a running backfill: select it while it runs',
      });
    }
    const live = latest().live.backfill[step.id];
    if (input === 'p') {
      steer(step.id, { paused: !live?.paused });
      return setNotice({
        level: 'info',
        text: live?.paused ? 'backfill resumed' : 'backfill pauses after the current batch',
        step: step.id,
      });
    }
    const current = currentBatchSize(latest(), step.id);
    const batchSize = nextBatchSize(current, input === '-' || input === '_' ? 'down' : 'up');
    steer(step.id, { batchSize });
    setNotice({
      level: 'info',
      text: `batch size ${formatCount(batchSize)} rows from the next batch`,
      step: step.id,
    });
  };

  // The run belongs to its engine: Ctrl+C asks whether to detach (the default, also a second
  // Ctrl+C), pause after the running step, or cancel it now. A watcher just leaves.
  const onInterrupt = (choice: InterruptChoice) => {
    setDialog(undefined);
    if (choice === 'detach') return onExit({ exit: 'detached' });
    if (choice === 'cancel-step') return quitNow('cancelled with Ctrl+C');
    setQuitting(true);
    setNotice({
      level: 'info',
      text: latest().live.active ? 'pausing the run once this step has finished…' : 'pausing the run…',
    });
    Promise.resolve(engine.pause('paused with Ctrl+C', { afterStep: true })).then(
      () => onExit({ exit: 'paused' }),
      (error: unknown) => {
        setQuitting(false);
        setNotice({ level: 'error', text: message(error) });
      },
    );
  };

  useKeys((input, key) => {
    if (!(key.ctrl && input === 'c')) return;
    if (view.readOnly || isFinished(latest())) return onExit({ exit: view.readOnly ? 'detached' : 'done' });
    if (dialog?.kind === 'interrupt') return onInterrupt('detach');
    setDialog({ kind: 'interrupt' });
  }, !quitting);

  const header = headerLines({ view, now, width: size.columns, theme, warnSsh });
  const shownNotice: Notice | undefined =
    currentNotice(view, notice, view.live.notice) ??
    (isFinished(view) && screen === 'main' && !dialog
      ? {
          level: 'info',
          text: `the run is ${view.run.status === 'rolled_back' ? 'rolled back' : 'complete'}: q quits`,
        }
      : undefined);
  const frame = frameHeight(size.rows);
  const screenHeight = frame - header.length - 2 - (shownNotice ? 1 : 0);
  const bodyRows = screenHeight - 1;

  useKeys(
    (input, key) => {
      if (key.ctrl) return;
      setNotice(undefined);
      if (key.upArrow || input === 'k') return move({ by: -1 });
      if (key.downArrow || input === 'j') return move({ by: 1 });
      if (key.pageUp) return move({ by: -Math.max(1, bodyRows - 1) });
      if (key.pageDown) return move({ by: Math.max(1, bodyRows - 1) });
      if (key.home || input === 'g') return move('first');
      if (key.end || input === 'G') return move('last');
      if (key.return) return handle(requestEnter(latest(), selected));
      switch (input) {
        case 'a':
          return handle(requestRunPhase(latest(), selected));
        case 's':
          return handle(requestSignOff(latest(), selected));
        case 'x':
          return handle(requestSkip(latest(), selected));
        case 'r':
          return handle(requestRetry(latest(), selected));
        case 'b':
          return handle(requestRollback(latest()));
        case 'l':
          if (!selectedStep) return setNotice({ level: 'warn', text: 'l shows the log of a step: select one' });
          setLogStep(selectedStep);
          return setScreen('log');
        case '?':
          return setScreen('help');
        case 'q':
          return requestQuit();
        case 'p':
        case '+':
        case '=':
        case '-':
        case '_':
          return backfillKey(input);
      }
    },
    screen === 'main' && !dialog && !quitting,
  );

  const onInterrupted = (step: string, choice: InterruptedChoice) => {
    if (choice === 'retry') return handle(requestRetryInterrupted(latest(), step));
    if (choice === 'mark-done') return handle(requestMarkDone(latest(), step));
    setDialog({ kind: 'rollback-plan' });
  };

  const onRollbackPlan = (plan: RollbackPlan, to?: string) => handle(rollbackRequest(latest(), plan, to));

  const width = size.columns;
  if (width < smallest.columns || bodyRows < smallest.bodyRows) {
    return (
      <LinesBlock
        lines={[
          [
            seg(`terminal ${size.columns}x${size.rows} is too small: stepwise needs 80x24 (q quits)`, {
              color: 'yellow',
            }),
          ],
        ]}
        width={width}
      />
    );
  }

  const close = () => setDialog(undefined);
  let body: React.ReactNode;
  let hints = dialog
    ? dialogKeyHints(dialog)
    : screen === 'main'
      ? mainKeyHints(view, selected)
      : screenKeyHints(screen);
  if (dialog) {
    const common = { width, height: screenHeight };
    switch (dialog.kind) {
      case 'confirm':
        body = (
          <ConfirmDialog text={dialog} onYes={() => launch(dialog.action, {})} onNo={close} {...common} />
        );
        break;
      case 'phrase':
        body = (
          <PhraseDialog
            text={dialog}
            phrase={dialog.phrase}
            onMatch={(phrase) => launch(dialog.action, { phrase, note: 'typed the confirmation phrase' })}
            onCancel={close}
            {...common}
          />
        );
        break;
      case 'rollback-phrase':
        body = (
          <PhraseDialog
            key={dialog.step}
            text={dialog}
            phrase={dialog.phrase}
            onMatch={(phrase) =>
              handle(rollbackRequest(latest(), dialog.plan, dialog.to, { ...dialog.typed, [dialog.step]: phrase }))
            }
            onCancel={close}
            {...common}
          />
        );
        break;
      case 'note':
        body = (
          <NoteDialog
            text={dialog}
            label={dialog.label}
            required={dialog.required}
            onSubmit={(note) => launch(dialog.action, { note })}
            onCancel={close}
            {...common}
          />
        );
        break;
      case 'interrupted':
        body = (
          <InterruptedDialog
            view={view}
            step={dialog.step}
            onChoose={(c) => onInterrupted(dialog.step, c)}
            onCancel={close}
            {...common}
          />
        );
        break;
      case 'drift':
        body = (
          <DriftDialog
            view={view}
            onAccept={() => setDialog(startupDialog(latest(), true))}
            onQuit={() => quitNow('runbook changed; drift not accepted')}
            {...common}
          />
        );
        break;
      case 'quit':
        body = <QuitDialog view={view} now={now} onQuit={() => quitNow()} onStay={close} {...common} />;
        break;
      case 'interrupt':
        body = <InterruptDialog view={view} now={now} onChoose={onInterrupt} onStay={close} {...common} />;
        break;
      case 'rollback-plan':
        body = (
          <RollbackPlanDialog
            engine={engine}
            view={view}
            to={dialog.to}
            selectedStep={selectedStep}
            onProceed={onRollbackPlan}
            onChangeTo={(to) => setDialog({ kind: 'rollback-plan', to })}
            onCancel={close}
            {...common}
          />
        );
        break;
    }
  } else if (screen === 'resume') {
    body = (
      <ResumeSummary
        view={view}
        now={now}
        width={width}
        height={screenHeight}
        onContinue={() => {
          setScreen('main');
          setDialog(startupDialog(latest(), false));
        }}
        onQuit={() => quitNow()}
      />
    );
  } else if (screen === 'attach') {
    body = (
      <AttachSummary
        view={view}
        width={width}
        height={screenHeight}
        onContinue={() => {
          setScreen('main');
          setDialog(startupDialog(latest(), true));
        }}
        onLeave={() => onExit({ exit: 'detached' })}
      />
    );
  } else if (screen === 'log' && logStep) {
    body = (
      <LogView
        engine={engine}
        view={view}
        step={logStep}
        width={width}
        height={screenHeight}
        onClose={() => setScreen('main')}
      />
    );
  } else if (screen === 'help') {
    body = <HelpView width={width} height={screenHeight} onClose={() => setScreen('main')} />;
  } else {
    hints = mainKeyHints(view, selected);
    body = (
      <MainPanes
        view={view}
        rows={rows}
        selected={selected}
        width={width}
        height={screenHeight}
        now={now}
        spinnerFrame={theme.glyphs.spinner[Math.floor(now / spinnerMs) % theme.glyphs.spinner.length]}
      />
    );
  }
  if (quitting) hints = [];
  const bottom: Line =
    screen === 'main' && !dialog ? splitBottomRule(paneWidths(width), theme) : titledRule([], width, theme);
  const noticeColor =
    shownNotice?.level === 'error' ? 'red' : shownNotice?.level === 'warn' ? 'yellow' : 'cyan';
  return (
    <Box flexDirection="column" width={width} height={frame}>
      <LinesBlock lines={header} width={width} />
      {body}
      <LinesBlock lines={[bottom]} width={width} />
      {shownNotice && (
        <LinesBlock
          lines={[[seg(` ${shownNotice.text}`, { color: noticeColor, bold: shownNotice.level !== 'info' })]]}
          width={width}
        />
      )}
      <LinesBlock lines={[keyBarLine(hints, width, theme)]} width={width} />
    </Box>
  );
}
