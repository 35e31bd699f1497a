import { formatCount } from '../format/format-count.js';
import { formatDuration } from '../format/format-time.js';
import type { ReportRollback, ReportSession, SignoffRecord } from '../journal/run-history.js';
import type { Report, ReportPhase, ReportStep } from './build-report.js';
import { formatUtc, formatUtcSince } from './format-utc.js';
import { markdownTable } from './markdown-table.js';

// The sign-off sheet as Markdown: a summary list, one table per phase with the records under
// it, the rollback, accepted drift and the journal's integrity.

// How the sheet names each time a process opened the run.
const sessionLabel: Record<ReportSession['kind'], string> = {
  started: 'Started',
  resumed: 'Resumed',
  'reopened for rollback': 'Opened for rollback',
};

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function quoted(note: string): string {
  return note ? ` — "${note.replace(/\s*\n\s*/g, ' ')}"` : '';
}

function values(v: Record<string, unknown>): string {
  const entries = Object.entries(v);
  if (entries.length === 0) return '(nothing)';
  return entries.map(([k, x]) => `${k} = ${typeof x === 'string' ? x : JSON.stringify(x)}`).join(', ');
}

function usage(usedMs: number, budgetMs?: number): string {
  if (budgetMs === undefined) return `${formatDuration(usedMs)} used (no budget set)`;
  const percent = Math.round((usedMs / budgetMs) * 100);
  const over = usedMs > budgetMs ? ' — OVER BUDGET' : '';
  return `${formatDuration(usedMs)} used of ${formatDuration(budgetMs)} (${percent} %)${over}`;
}

function rowsCell(s: ReportStep): string {
  if (s.batches) {
    const skipped = s.batches.skipped ? `, ${formatCount(s.batches.skipped)} skipped` : '';
    const why = s.batches.skippedBecause ?? 'already there';
    return `${formatCount(s.batches.rows)} copied${skipped ? `${skipped} (${why})` : ''} in ${formatCount(s.batches.count)} batches`;
  }
  return s.rows === undefined ? '' : formatCount(s.rows);
}

function outcomeCell(s: ReportStep): string {
  const attempts = s.attempts > 1 ? ` (attempt ${s.attempts})` : '';
  const marked =
    s.outcome === 'succeeded' && s.signoffs.some((x) => x.purpose === 'marked done') ? ' (marked done)' : '';
  return `${s.outcome}${s.outcome === 'succeeded' ? attempts : ''}${marked}`;
}

// The display name, then who the engine knows the signer to be: in team mode their database
// role with the Unix user and host they signed from.
function signer(r: SignoffRecord): string {
  const facts = [
    r.role ? `database role ${r.role}` : undefined,
    r.user && r.user !== r.operator ? `Unix user ${r.user}` : undefined,
    r.host ? `on ${r.host}` : undefined,
  ].filter(Boolean);
  return facts.length ? `${r.operator} (${facts.join(', ')})` : r.operator;
}

function signed(r: SignoffRecord, runStart: string): string {
  const who = signer(r);
  return `${who} at ${formatUtcSince(r.at, runStart)}${quoted(r.note)}`;
}

// The rows a check's query returned, one line each, as far as the journal kept them.
function foundRows(label: string, check: NonNullable<ReportStep['check']>): string[] {
  const rows = check.rows ?? [];
  const onlyExpected = rows.length === 1 && Object.keys(rows[0]).every((k) => k in check.actual);
  if (rows.length === 0 || (onlyExpected && check.row_count === 1)) return [];
  const lines = rows.map((row) => `${label}: row ${values(row)}`);
  const more = (check.row_count ?? rows.length) - rows.length;
  return more > 0 ? [...lines, `${label}: … and ${formatCount(more)} more rows`] : lines;
}

// What a reader needs beyond the table: sign-offs, confirmations, checks, reasons, errors.
function stepRecords(s: ReportStep, runStart: string): string[] {
  const label = `${s.number} ${s.id}`;
  const out: string[] = [];
  for (const c of s.confirmations) out.push(`${label}: confirmed by ${signed(c, runStart)}`);
  for (const x of s.signoffs) {
    const what = x.purpose === 'manual' ? 'signed off' : x.purpose;
    out.push(`${label}: ${what} by ${signed(x, runStart)}`);
  }
  if (s.check) {
    const failures = s.check.failures?.length ? ` (${s.check.failures.join('; ')})` : '';
    out.push(`${label}: expected ${values(s.check.expected)}; actual ${values(s.check.actual)}${failures}`);
    out.push(...foundRows(label, s.check));
  }
  if (s.summary && !s.check) out.push(`${label}: ${s.summary}`);
  if (s.skipReason) out.push(`${label}: skipped — ${s.skipReason}`);
  if (s.error)
    out.push(`${label}: ${s.outcome === 'rollback failed' ? 'rollback error' : 'error'}: ${s.error}`);
  for (const at of s.interruptedAt) {
    out.push(
      `${label}: interrupted (its process stopped mid-step); found on resume at ${formatUtcSince(at, runStart)}`,
    );
  }
  if (s.probe) {
    out.push(
      `${label}: probe on resume: ${s.probe.applied ? 'had already taken effect' : 'had not taken effect'}`,
    );
  }
  if (s.pointOfNoReturn) out.push(`${label}: point of no return`);
  for (const rule of s.lintAllowed?.rules ?? []) out.push(`${label}: allowed: ${rule} — ${s.lintAllowed!.reason}`);
  return out;
}

function stepsTable(steps: ReportStep[], runStart: string): string {
  return markdownTable(
    ['#', 'Step', 'Title', 'Kind', 'Operator', 'Started', 'Took', 'Outcome', 'Rows'],
    steps.map((s) => [
      s.number,
      s.id,
      s.title,
      s.kind,
      s.operator ?? '',
      s.startedAt ? formatUtcSince(s.startedAt, runStart) : '',
      s.durationMs === undefined ? '' : formatDuration(s.durationMs),
      outcomeCell(s),
      rowsCell(s),
    ]),
  );
}

function gateLines(phase: ReportPhase, runStart: string): string[] {
  const gate = phase.gate;
  if (!gate) return [];
  const needs: string[] = [];
  if (gate.signoffsRequired) {
    needs.push(
      gate.signoffsRequired === 1 ? 'a sign-off' : `sign-offs by ${gate.signoffsRequired} operators`,
    );
  }
  if (gate.checks) needs.push(gate.checks === 1 ? '1 check' : `${gate.checks} checks`);
  const lines = [
    `**Gate** (${needs.join(' and ') || 'no requirements'}): ${gate.passed ? 'passed' : 'not passed'}`,
  ];
  for (const s of gate.signoffs) lines.push(`- gate signed off by ${signed(s, runStart)}`);
  if (gate.checked) {
    lines.push(
      gate.checked.ok
        ? '- gate checks passed'
        : `- gate checks failed: ${gate.checked.failures.join('; ') || 'see the log'}`,
    );
  }
  return lines;
}

function phaseSection(phase: ReportPhase, runStart: string): string[] {
  const lines = [`## ${phase.number}. ${phase.title}`, ''];
  lines.push(phase.steps.length ? stepsTable(phase.steps, runStart) : '(no steps)');
  const records = phase.steps.flatMap((s) => stepRecords(s, runStart));
  if (records.length) lines.push('', ...records.map((r) => `- ${r}`));
  const gate = gateLines(phase, runStart);
  if (gate.length) lines.push('', ...gate);
  lines.push('');
  return lines;
}

function rollbackSection(rollback: ReportRollback, report: Report): string[] {
  const runStart = report.startedAt;
  const scope = rollback.to ? `back to ${rollback.to}` : 'the whole run';
  const plan = rollback.plan.length ? rollback.plan.join(', ') : 'nothing to roll back';
  const lines = [
    `- Started by ${rollback.operator} at ${formatUtcSince(rollback.startedAt, runStart)}, ${scope}`,
    ...(rollback.pastWindow
      ? [`- Past the rollback window (closed ${rollback.pastWindow.closed_at}): ${rollback.pastWindow.reason}`]
      : []),
    `- Plan (reverse order): ${plan}`,
    `- State: ${rollback.state}`,
    '',
  ];
  if (rollback.steps.length) {
    lines.push(
      markdownTable(
        ['#', 'Step', 'How', 'Operator', 'At', 'Took', 'Note'],
        rollback.steps.map((s) => [
          s.number ?? '',
          s.step,
          s.how === 'reversed' ? 'reversed' : s.how === 'signed' ? 'irreversible, signed off' : 'FAILED',
          s.operator,
          formatUtcSince(s.at, runStart),
          formatDuration(s.durationMs),
          s.error ?? s.note ?? '',
        ]),
      ),
      '',
    );
  }
  return lines;
}

function summary(report: Report): string[] {
  const { runbook, window } = report;
  const lines = [
    `- **Runbook:** ${runbook.name}${runbook.title !== runbook.name ? ` — ${runbook.title}` : ''} (${code(runbook.path)})`,
    `- **Runbook sha256:** ${code(runbook.sha256)}`,
    `- **Run:** ${code(report.runId)} (stepwise ${report.version})`,
    `- **Outcome:** ${report.outcome}${report.pauseReason ? ` — ${report.pauseReason}` : ''}`,
    `- **Progress:** ${report.progress.done}/${report.progress.total} steps done`,
    `- **Operators:** ${report.operators.join(', ')}`,
    `- **Started:** ${formatUtc(report.startedAt)}; last event ${formatUtc(report.lastEventAt)}`,
  ];
  for (const s of report.sessions) {
    const from = s.ssh ? `, SSH from ${s.ssh}` : '';
    const took = s.tookOver ? `, taking the run over from ${s.tookOver.host} (pid ${s.tookOver.pid}) whose lease ran out` : '';
    lines.push(
      `- **${sessionLabel[s.kind]} by** ${s.operator} on ${s.host} (pid ${s.pid}${from}) at ${formatUtc(s.at)}${took}`,
    );
  }
  lines.push(`- **Window:** ${usage(window.usedMs, window.budgetMs)}`);
  if (window.rollbackUsedMs !== undefined) {
    lines.push(`- **Rollback window:** ${usage(window.rollbackUsedMs, window.rollbackBudgetMs)}`);
  }
  for (const c of report.connections) {
    const badge = c.production ? ' **PRODUCTION**' : c.embedded ? ' (embedded)' : '';
    lines.push(`- **Connection ${c.name}:** ${code(c.target)}${badge}`);
  }
  for (const r of report.retargets) {
    lines.push(
      `- **Retargeted ${r.conn}** from ${code(r.from)} to ${code(r.to)} by ${r.operator} at ${formatUtc(r.ts)}: ${r.reason}`,
    );
  }
  const vars = Object.entries(report.vars);
  if (vars.length) lines.push(`- **Variables:** ${vars.map(([k, v]) => code(`${k}=${v}`)).join(', ')}`);
  return lines;
}

function integritySection(report: Report): string[] {
  const { integrity } = report;
  const lines = [
    integrity.ok
      ? `- ${integrity.events} events, hash chain intact${integrity.lastHash ? `; last hash ${code(integrity.lastHash)}` : ''}`
      : `- ${integrity.events} events, **DAMAGED**: ${integrity.problems.length} problem(s)`,
  ];
  if (integrity.checkedFromSeq !== undefined)
    lines.push(
      `- checked after event ${integrity.checkedFromSeq}, the run's snapshot; \`stepwise verify ${report.runId}\` checks the whole chain`,
    );
  for (const p of integrity.problems) lines.push(`- journal.jsonl:${p.line}: ${p.message}`);
  if (integrity.tornTail)
    lines.push(`- journal.jsonl:${integrity.tornTail.line}: warning: ${integrity.tornTail.message}`);
  return lines;
}

export function renderReportMarkdown(report: Report): string {
  const lines = [`# Sign-off sheet: ${report.runbook.title}`, '', ...summary(report), ''];
  for (const phase of report.phases) lines.push(...phaseSection(phase, report.startedAt));
  if (report.removedSteps.length) {
    lines.push(
      '## Steps removed from the runbook since they ran',
      '',
      stepsTable(report.removedSteps, report.startedAt),
      '',
    );
  }
  lines.push('## Rollback', '');
  if (report.rollbacks.length === 0) lines.push('Not rolled back.', '');
  for (const rollback of report.rollbacks) lines.push(...rollbackSection(rollback, report));
  lines.push('## Drift accepted on resume', '');
  if (report.drift.length === 0) lines.push('None.', '');
  for (const d of report.drift) lines.push(`- ${formatUtc(d.at)} by ${d.operator}: ${d.steps.join(', ')}`);
  if (report.drift.length) lines.push('');
  lines.push('## Journal integrity', '', ...integritySection(report), '');
  return lines.join('\n');
}
