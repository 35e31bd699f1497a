import { Command } from 'commander';
import { forecastBasis } from '../engine/forecast/forecast-steps.js';
import { indexSteps } from '../engine/step-index.js';
import { describeRunForecast, describeStepForecast } from '../journal/forecast/describe-forecast.js';
import { forecastRun } from '../journal/forecast/forecast-run.js';
import { parsedSqlPath, resolveStateDir, validatedRunbooksDir } from '../journal/state-dir.js';
import { createRenderer } from '../runbook/create-renderer.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import { ParsedSqlCache } from '../runbook/parsed-sql-cache.js';
import { previewStep } from '../runbook/preview-step.js';
import { resolveVars } from '../runbook/resolve-vars.js';
import { ValidatedRunbookCache } from '../runbook/validated-runbook-cache.js';
import { describeConnections } from './describe-connections.js';
import { withStateDir } from './shared-options.js';

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => by + line)
    .join('\n');
}

// Everything that would run, values filled and secrets masked: the dry run. Opens no connection.
export const planCommand = withStateDir(
  new Command('plan')
    .description('show everything a run would do, values filled in and secrets masked (a dry run)')
    .argument('<runbook>', 'path to the runbook YAML')
    .option(
      '--var <k=v>',
      'set a variable (repeatable)',
      (v: string, p: Record<string, string>) => {
        const eq = v.indexOf('=');
        return { ...p, [v.slice(0, eq)]: v.slice(eq + 1) };
      },
      {},
    ),
).action(async (path: string, flags: { var: Record<string, string>; stateDir?: string }) => {
  const stateDir = resolveStateDir(flags.stateDir);
  // A runbook planned before is not validated again, and SQL that parsed before is checked
  // without loading PostgreSQL's parser.
  const parsedSql = new ParsedSqlCache(parsedSqlPath(stateDir));
  const validated = new ValidatedRunbookCache(validatedRunbooksDir(stateDir));
  const loaded = await loadRunbook(path, { parsedSql, validated });
  await parsedSql.save();
  const { runbook } = loaded;
  const vars = resolveVars(runbook, { cli: flags.var, env: process.env });
  const values = { ...vars.values };
  for (const m of vars.missing) values[m.name] = `<${m.name}: asked at start>`;
  const urls = describeConnections(runbook, process.env, stateDir);
  const renderer = createRenderer({
    vars: values,
    secretVars: vars.secretVars,
    connections: Object.fromEntries(urls.map((c) => [c.name, { url: c.url }])),
    run: { id: '<run-id>', operator: '<operator>' },
  });
  const out: string[] = [];
  out.push(`${runbook.name}${runbook.title ? ` — ${runbook.title}` : ''}`);
  if (runbook.window) {
    out.push(
      `window ${runbook.window.budget ?? '-'} · rollback budget ${runbook.window.rollback_budget ?? '-'}`,
    );
  }
  out.push('connections:');
  for (const c of urls) out.push(`  ${c.name}  ${c.describe}${c.production ? '  PRODUCTION' : ''}`);
  const shownVars = Object.entries(renderer.maskedVars());
  if (shownVars.length) out.push(`vars: ${shownVars.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const index = indexSteps(runbook);
  // The forecast opens no connection either: a backfill's rows to go are those of earlier runs.
  const forecast = forecastRun(await forecastBasis(loaded, stateDir, undefined));
  const expected = new Map(forecast.steps.map((f) => [f.step, describeStepForecast(f)]));
  runbook.phases.forEach((phase, p) => {
    out.push('', `${p + 1} ${phase.title ?? phase.id}`);
    for (const step of phase.steps) {
      const entry = index.get(step.id)!;
      const flags = [
        step.confirm ? (typeof step.confirm === 'string' ? `confirm "${step.confirm}"` : 'confirm') : '',
        step.idempotent ? 'idempotent' : '',
        step.probe ? 'probe' : '',
        step.timeout ? `timeout ${step.timeout}` : '',
        step.retries ? `retries ${step.retries.attempts}` : '',
        step.point_of_no_return ? 'POINT OF NO RETURN' : '',
      ].filter(Boolean);
      out.push(
        `  ${entry.number} ${step.title ?? step.id}  [${entry.kind}]${flags.length ? `  ${flags.join(' · ')}` : ''}`,
      );
      // Without any earlier run only the total says so, once.
      if (forecast.runs > 0 || step.soak) out.push(`      expected: ${expected.get(step.id)}`);
      out.push(indent(previewStep(step, renderer, loaded), '      '));
      if (step.verify)
        out.push('      verify:', indent(previewStep({ check: step.verify }, renderer, loaded), '        '));
      if (step.rollback)
        out.push('      rollback:', indent(previewStep(step.rollback, renderer, loaded), '        '));
      else if (!['check', 'wait', 'compare'].includes(entry.kind))
        out.push('      rollback: none (irreversible: needs a sign-off)');
    }
    if (phase.gate) {
      const signoff =
        phase.gate.signoff === true
          ? 1
          : typeof phase.gate.signoff === 'object'
            ? phase.gate.signoff.count
            : 0;
      out.push(
        `  gate: ${signoff ? `sign-off by ${signoff} operator${signoff > 1 ? 's' : ''}` : ''}${phase.gate.checks?.length ? `${signoff ? ' · ' : ''}${phase.gate.checks.length} check(s)` : ''}`,
      );
    }
  });
  out.push('', `expected: ${describeRunForecast(forecast, `stepwise rehearse ${path}`)}`);
  process.stdout.write(`${renderer.mask(out.join('\n'))}\n`);
});
