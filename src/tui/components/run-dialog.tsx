import type { EngineHandle, EngineView, RollbackPlan } from '../../engine/engine-api.js';
import type { Dialog } from '../dialog.js';
import type { Collected, OperatorAction } from '../operator-action.js';
import { type Request, rollbackRequest } from '../operator-requests.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { DriftDialog } from './drift-dialog.js';
import { type InterruptChoice, InterruptDialog } from './interrupt-dialog.js';
import { type InterruptedChoice, InterruptedDialog } from './interrupted-dialog.js';
import { NoteDialog } from './note-dialog.js';
import { PhraseDialog } from './phrase-dialog.js';
import { QuitDialog } from './quit-dialog.js';
import { RollbackPlanDialog } from './rollback-plan-dialog.js';

// What the run screen does with a dialog's answer.
export interface DialogHandlers {
  latest: () => EngineView;
  launch: (action: OperatorAction, collected?: Collected) => void;
  handle: (request: Request) => void;
  open: (dialog: Dialog) => void;
  close: () => void;
  quitNow: (reason?: string) => void;
  interrupt: (choice: InterruptChoice) => void;
  interrupted: (step: string, choice: InterruptedChoice) => void;
  driftAccepted: () => void;
  rollbackPlan: (plan: RollbackPlan, to?: string) => void;
}

// The dialog in front of the run screen, by its kind.
export function RunDialog({
  dialog,
  engine,
  view,
  now,
  selectedStep,
  width,
  height,
  on,
}: {
  dialog: Dialog;
  engine: EngineHandle;
  view: EngineView;
  now: number;
  selectedStep?: string;
  width: number;
  height: number;
  on: DialogHandlers;
}) {
  switch (dialog.kind) {
    case 'confirm':
      return (
        <ConfirmDialog
          text={dialog}
          onYes={() => on.launch(dialog.action, {})}
          onNo={on.close}
          width={width}
          height={height}
        />
      );
    case 'phrase':
      return (
        <PhraseDialog
          text={dialog}
          phrase={dialog.phrase}
          onMatch={(phrase) => on.launch(dialog.action, { phrase, note: 'typed the confirmation phrase' })}
          onCancel={on.close}
          width={width}
          height={height}
        />
      );
    case 'rollback-phrase':
      return (
        <PhraseDialog
          key={dialog.step}
          text={dialog}
          phrase={dialog.phrase}
          onMatch={(phrase) =>
            on.handle(rollbackRequest(on.latest(), dialog.plan, dialog.to, { ...dialog.typed, [dialog.step]: phrase }))
          }
          onCancel={on.close}
          width={width}
          height={height}
        />
      );
    case 'note':
      return (
        <NoteDialog
          text={dialog}
          label={dialog.label}
          required={dialog.required}
          signer={dialog.signer}
          onSubmit={(note) => on.launch(dialog.action, { note })}
          onCancel={on.close}
          width={width}
          height={height}
        />
      );
    case 'interrupted':
      return (
        <InterruptedDialog
          view={view}
          step={dialog.step}
          onChoose={(c) => on.interrupted(dialog.step, c)}
          onCancel={on.close}
          width={width}
          height={height}
        />
      );
    case 'drift':
      return (
        <DriftDialog
          view={view}
          onAccept={on.driftAccepted}
          onQuit={() => on.quitNow('runbook changed; drift not accepted')}
          width={width}
          height={height}
        />
      );
    case 'quit':
      return (
        <QuitDialog view={view} now={now} onQuit={() => on.quitNow()} onStay={on.close} width={width} height={height} />
      );
    case 'interrupt':
      return (
        <InterruptDialog
          view={view}
          now={now}
          onChoose={on.interrupt}
          onStay={on.close}
          width={width}
          height={height}
        />
      );
    case 'rollback-plan':
      return (
        <RollbackPlanDialog
          engine={engine}
          view={view}
          to={dialog.to}
          selectedStep={selectedStep}
          onProceed={on.rollbackPlan}
          onChangeTo={(to) => on.open({ kind: 'rollback-plan', to })}
          onCancel={on.close}
          width={width}
          height={height}
        />
      );
  }
}
