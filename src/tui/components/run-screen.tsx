import { Box } from 'ink';
import { useState } from 'react';
import { useStore } from 'zustand';
import type { EngineHandle, EngineView } from '../../engine/engine-api.js';
import { parseKey } from '../checklist-rows.js';
import { frameHeight, paneWidths, smallest } from '../compute-layout.js';
import { currentNotice, type Notice } from '../current-notice.js';
import type { Dialog } from '../dialog.js';
import { useChecklistSelection } from '../hooks/use-checklist-selection.js';
import { useClock } from '../hooks/use-clock.js';
import { useInterruptKey } from '../hooks/use-interrupt-key.js';
import { useRunKeys } from '../hooks/use-run-keys.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { useTheme } from '../hooks/use-theme.js';
import { dialogKeyHints, mainKeyHints, type Screen, screenKeyHints } from '../key-hints.js';
import { headerInfoLines } from '../lines/header-lines.js';
import { keyBarLine } from '../lines/key-bar-line.js';
import { splitBottomRule, titledRule } from '../lines/rule-lines.js';
import { type Collected, type OperatorAction, performAction } from '../operator-action.js';
import { type Request, requestMarkDone, requestRetryInterrupted, rollbackRequest } from '../operator-requests.js';
import { steerBackfill } from '../steer-backfill.js';
import { type Line, seg } from '../styled-line.js';
import type { TuiResult } from '../tui-result.js';
import { untilWindowChange, windowUsage } from '../window-usage.js';
import type { InterruptChoice } from './interrupt-dialog.js';
import type { InterruptedChoice } from './interrupted-dialog.js';
import { LinesBlock } from './lines-block.js';
import { type DialogHandlers, RunDialog } from './run-dialog.js';
import { RunHeader } from './run-header.js';
import { ScreenBody, spinnerMs } from './screen-body.js';

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

function isRunning(view: EngineView): boolean {
  return view.live.active !== undefined || Object.values(view.run.steps).some((s) => s.status === 'running');
}

// How soon the body shows something else by the clock alone: the spinner and a running step's
// time, a soak's countdown, the window used in the resume summary. Undefined when nothing there
// moves (a gate, a manual step): then only the header's timer ticks, by itself.
function bodyClockMs(view: EngineView, screen: Screen, now: number): number | undefined {
  if (isRunning(view)) return spinnerMs;
  if (Object.values(view.run.steps).some((s) => s.status === 'soaking')) return 1000;
  return screen === 'resume' ? untilWindowChange(windowUsage(view.run, now), now) : undefined;
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

// The whole screen of a run: header, the body (checklist and detail, a dialog, the log, help, a
// summary), notice line and key bar. Keys become requests; requests become dialogs and intents.
export function RunScreen({ engine, mode, warnSsh, rollbackTo, onExit }: RunScreenProps) {
  const theme = useTheme();
  const view = useStore(engine.store);
  const size = useTerminalSize();
  const [screen, setScreen] = useState<Screen>(mode === 'resume' || mode === 'attach' ? mode : 'main');
  const tickMs = bodyClockMs(view, screen, Date.now());
  const now = useClock(tickMs ?? 0, tickMs !== undefined);
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

  const selection = useChecklistSelection(view);
  const { selected, follow } = selection;
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

  // Ctrl+C's dialog: detach, pause once the running step has finished, or cancel it now.
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

  useInterruptKey({
    leave: () => {
      if (!view.readOnly && !isFinished(latest())) return false;
      onExit({ exit: view.readOnly ? 'detached' : 'done' });
      return true;
    },
    asking: dialog?.kind === 'interrupt',
    ask: () => setDialog({ kind: 'interrupt' }),
    detach: () => onInterrupt('detach'),
    active: !quitting,
  });

  const headerInfo = headerInfoLines({ view, width: size.columns, theme, warnSsh });
  const shownNotice: Notice | undefined =
    currentNotice(view, notice, view.live.notice) ??
    (isFinished(view) && screen === 'main' && !dialog
      ? {
          level: 'info',
          text: `the run is ${view.run.status === 'rolled_back' ? 'rolled back' : 'complete'}: q quits`,
        }
      : undefined);
  const frame = frameHeight(size.rows);
  const screenHeight = frame - 1 - headerInfo.length - 2 - (shownNotice ? 1 : 0);
  const bodyRows = screenHeight - 1;

  useRunKeys({
    latest,
    selected,
    move: selection.move,
    pageRows: bodyRows,
    handle,
    clearNotice: () => setNotice(undefined),
    showLog: () => {
      if (!selectedStep) return setNotice({ level: 'warn', text: 'l shows the log of a step: select one' });
      setLogStep(selectedStep);
      setScreen('log');
    },
    showHelp: () => setScreen('help'),
    quit: requestQuit,
    steerBackfill: (input) => steerBackfill(engine, latest(), selectedStep, input, setNotice),
    active: screen === 'main' && !dialog && !quitting,
  });

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

  const handlers: DialogHandlers = {
    latest,
    launch,
    handle,
    open: setDialog,
    close: () => setDialog(undefined),
    quitNow,
    interrupt: onInterrupt,
    interrupted: (step: string, choice: InterruptedChoice) => {
      if (choice === 'retry') return handle(requestRetryInterrupted(latest(), step));
      if (choice === 'mark-done') return handle(requestMarkDone(latest(), step));
      setDialog({ kind: 'rollback-plan' });
    },
    driftAccepted: () => setDialog(startupDialog(latest(), true)),
    rollbackPlan: (plan, to) => handle(rollbackRequest(latest(), plan, to)),
  };
  const hints = quitting
    ? []
    : dialog
      ? dialogKeyHints(dialog)
      : screen === 'main'
        ? mainKeyHints(view, selected)
        : screenKeyHints(screen);
  const bottom: Line =
    screen === 'main' && !dialog ? splitBottomRule(paneWidths(width), theme) : titledRule([], width, theme);
  const noticeColor =
    shownNotice?.level === 'error' ? 'red' : shownNotice?.level === 'warn' ? 'yellow' : 'cyan';
  return (
    <Box flexDirection="column" width={width} height={frame}>
      <RunHeader view={view} info={headerInfo} width={width} now={tickMs === undefined ? undefined : now} />
      {dialog ? (
        <RunDialog
          dialog={dialog}
          engine={engine}
          view={view}
          now={now}
          selectedStep={selectedStep}
          width={width}
          height={screenHeight}
          on={handlers}
        />
      ) : (
        <ScreenBody
          screen={screen === 'log' && !logStep ? 'main' : screen}
          engine={engine}
          view={view}
          now={now}
          selection={selection}
          logStep={logStep}
          width={width}
          height={screenHeight}
          onMain={() => setScreen('main')}
          onContinue={(driftSeen) => {
            setScreen('main');
            setDialog(startupDialog(latest(), driftSeen));
          }}
          onQuit={() => quitNow()}
          onLeave={() => onExit({ exit: 'detached' })}
        />
      )}
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
