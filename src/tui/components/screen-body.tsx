import type { EngineHandle, EngineView } from '../../engine/engine-api.js';
import type { ChecklistSelection } from '../hooks/use-checklist-selection.js';
import { useTheme } from '../hooks/use-theme.js';
import type { Screen } from '../key-hints.js';
import { AttachSummary } from './attach-summary.js';
import { HelpView } from './help-view.js';
import { LogView } from './log-view.js';
import { MainPanes } from './main-panes.js';
import { ResumeSummary } from './resume-summary.js';

// While a step runs the spinner turns at this pace; the window timer counts seconds.
export const spinnerMs = 300;

// The run screen's body when no dialog is open: the checklist and detail, the resume or attach
// summary, a step's log, or help.
export function ScreenBody(props: {
  screen: Screen;
  engine: EngineHandle;
  view: EngineView;
  now: number;
  selection: ChecklistSelection;
  logStep?: string;
  width: number;
  height: number;
  onMain: () => void;
  // Past a summary: the run's startup dialogs (drift already accepted when attaching).
  onContinue: (driftSeen: boolean) => void;
  onQuit: () => void;
  onLeave: () => void;
}) {
  const theme = useTheme();
  const { view, now, width, height } = props;
  switch (props.screen) {
    case 'resume':
      return (
        <ResumeSummary
          view={view}
          now={now}
          width={width}
          height={height}
          onContinue={() => props.onContinue(false)}
          onQuit={props.onQuit}
        />
      );
    case 'attach':
      return (
        <AttachSummary
          view={view}
          width={width}
          height={height}
          onContinue={() => props.onContinue(true)}
          onLeave={props.onLeave}
        />
      );
    case 'log':
      return (
        <LogView
          engine={props.engine}
          view={view}
          step={props.logStep!}
          width={width}
          height={height}
          onClose={props.onMain}
        />
      );
    case 'help':
      return <HelpView width={width} height={height} onClose={props.onMain} />;
    default:
      return (
        <MainPanes
          view={view}
          rows={props.selection.rows}
          selected={props.selection.selected}
          width={width}
          height={height}
          now={now}
          spinnerFrame={theme.glyphs.spinner[Math.floor(now / spinnerMs) % theme.glyphs.spinner.length]}
        />
      );
  }
}
