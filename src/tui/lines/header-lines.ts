import type { ConnectionView, EngineView } from '../../engine/engine-api.js';
import { formatClock, formatMinutes } from '../../format/format-time.js';
import { fitLine, type Line, lineWidth, seg, spreadLine } from '../styled-line.js';
import type { Theme } from '../theme.js';
import { windowUsage } from '../window-usage.js';
import { forecastSegments } from './forecast-segments.js';
import { wrapText } from '../../format/wrap-text.js';

const sshWarning =
  'running over SSH outside tmux/screen: a dropped connection will pause the run; start inside tmux';
const maxConnectionLines = 3;

function timer(view: EngineView, now: number): Line {
  const usage = windowUsage(view.run, now);
  const color = usage.level === 'over' ? 'red' : usage.level === 'warn' ? 'yellow' : undefined;
  const text =
    usage.budgetMs === undefined
      ? `${usage.label} ${formatMinutes(usage.elapsedMs)}`
      : `${usage.label} ${formatMinutes(usage.elapsedMs)} / ${formatMinutes(usage.budgetMs)}`;
  const soaking = Object.values(view.run.steps).find((s) => s.status === 'soaking' && s.soak);
  const soak = soaking?.soak
    ? [seg(`soak ${formatClock(Math.max(0, Date.parse(soaking.soak.endsAt) - now))} left  `, { color: 'cyan' as const })]
    : [];
  return [...forecastSegments(view, now), ...soak, seg(text, { color, bold: usage.level !== 'ok' })];
}

// Runbook, run id, operator and the window timer: the one header line that moves with the clock.
export function titleLine(view: EngineView, now: number, width: number, theme: Theme): Line {
  const { separator } = theme.glyphs;
  const name = view.run.started.runbook.name;
  const operator = view.operator ?? view.run.started.operator;
  const id = view.run.runId;
  const short = id.startsWith(`${name}-`) ? `${theme.glyphs.ellipsis}${id.slice(name.length)}` : id;
  const right = [...timer(view, now), seg(' ')];
  const build = (brand: boolean, run: string): Line => [
    ...(brand ? [seg(' stepwise', { bold: true }), seg(separator)] : [seg(' ')]),
    seg(`${name}${separator}`),
    seg(run),
    seg(`${separator}${operator}`, { color: 'cyan' }),
  ];
  // Narrower terminals lose the words that say least first; the operator and timer stay.
  const candidates = [
    build(true, `run ${id}`),
    build(true, `run ${short}`),
    build(false, `run ${short}`),
    build(false, short),
  ];
  const who = [seg(`${separator}${operator}`, { color: 'cyan' as const })];
  const room = width - lineWidth(right) - 1 - lineWidth(who);
  const left = candidates.find((line) => lineWidth(line) + lineWidth(right) + 1 <= width) ?? [
    ...fitLine([seg(` ${name}`)], Math.max(4, room), { ascii: theme.ascii }),
    ...who,
  ];
  return spreadLine(left, right, width, { ascii: theme.ascii });
}

function connectionLine(c: ConnectionView, width: number, theme: Theme): Line {
  const badge = c.production
    ? theme.color
      ? [seg(' PRODUCTION ', { backgroundColor: 'red', color: 'white', bold: true })]
      : [seg('[PRODUCTION]', { bold: true })]
    : c.embedded
      ? [seg('(embedded)', { dim: true })]
      : [];
  const target = [seg(` ${c.name} `, { bold: true }), seg(`${theme.glyphs.arrow} `), seg(c.target)];
  const room = width - lineWidth(badge) - (badge.length ? 2 : 0);
  return [...fitLine(target, room, { ascii: theme.ascii }), ...(badge.length ? [seg('  '), ...badge] : [])];
}

// Who is attached to the run's engine, as the engine verified them (Unix users; in team mode
// database roles, with the host of one attached through the database), the display name beside
// the user when it differs.
function attachedLine(view: EngineView, width: number, theme: Theme): Line {
  const names = view.clients!.map((c) => {
    const display = c.display && c.display !== c.user ? ` (${c.display})` : '';
    const where = c.throughDatabase ? `@${c.host}` : '';
    return `${c.user}${where}${display}${c.role === 'watcher' ? ' watching' : ''}`;
  });
  const unique = [...new Set(names)];
  return fitLine(
    [seg(' attached: ', { dim: true }), seg(unique.join(', ') || 'nobody', { color: 'cyan' }), ...(view.readOnly ? [seg('  read-only', { color: 'yellow', bold: true })] : [])],
    width,
    { ascii: theme.ascii },
  );
}

// The header under its title line: every connection's target with its PRODUCTION badge, who is
// attached, the SSH warning when a dropped connection would end the session.
export function headerInfoLines(args: { view: EngineView; width: number; theme: Theme; warnSsh: boolean }): Line[] {
  const { view, width, theme } = args;
  const lines: Line[] = [];
  const connections = view.connections;
  const shown = connections.length > maxConnectionLines ? maxConnectionLines - 1 : connections.length;
  for (const c of connections.slice(0, shown)) lines.push(connectionLine(c, width, theme));
  if (shown < connections.length) {
    const rest = connections.slice(shown);
    const production = rest.filter((c) => c.production).length;
    lines.push([
      seg(` +${rest.length} more connections: ${rest.map((c) => c.name).join(', ')}`),
      ...(production ? [seg(`  ${production} PRODUCTION`, { color: 'red', bold: true })] : []),
    ]);
  }
  if (view.clients) lines.push(attachedLine(view, width, theme));
  // A detached engine does not hear a dropped connection: the warning is for one process.
  if (args.warnSsh && !view.clients) {
    wrapText(sshWarning, width - 3).forEach((text, i) => {
      const mark = i === 0 ? ` ${theme.glyphs.warning} ` : '   ';
      lines.push([seg(mark, { color: 'yellow', bold: true }), seg(text, { color: 'yellow' })]);
    });
  }
  return lines.map((line) => fitLine(line, width, { ascii: theme.ascii }));
}
