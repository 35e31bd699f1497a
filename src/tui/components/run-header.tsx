import type { EngineView } from '../../engine/engine-api.js';
import { useClock } from '../hooks/use-clock.js';
import { useTheme } from '../hooks/use-theme.js';
import { titleLine } from '../lines/header-lines.js';
import type { Line } from '../styled-line.js';
import { untilWindowChange, windowUsage } from '../window-usage.js';
import { LinesBlock } from './lines-block.js';

// The header: the title line with the window timer, then `info`. Given no `now` (nothing else on
// the screen moves), the timer ticks here alone and only when its text changes: once a minute
// at rest, a redraw of this block instead of the whole screen every second.
export function RunHeader({ view, info, width, now }: { view: EngineView; info: Line[]; width: number; now?: number }) {
  const theme = useTheme();
  const next = untilWindowChange(windowUsage(view.run, Date.now()), Date.now());
  const clock = useClock(next ?? 0, now === undefined && next !== undefined);
  return <LinesBlock lines={[titleLine(view, now ?? clock, width, theme), ...info]} width={width} />;
}
