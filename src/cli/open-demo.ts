import { existsSync, rmSync } from 'node:fs';
import { type OpenedRun, resumeRun, startRun } from '../engine/open-run.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { findLatestRun } from '../journal/find-run.js';
import { embeddedDir } from '../journal/state-dir.js';
import type { HostRequest } from '../protocol/host-request.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import { embeddedOnly, seedDemo } from './seed-demo.js';

// What `stepwise demo` asks of its engine (the demo request), and how the opening reports back.
export interface DemoOptions extends Omit<Extract<HostRequest, { kind: 'demo' }>, 'kind'> {
  // A line for the operator (a warning, the seeding).
  warn: (text: string) => void;
  // Whether an engine serves this run now: then the demo attaches to it instead.
  served: (runId: string) => boolean;
}

// The latest unfinished demo run again (or the id of the engine serving it), or fresh demo data
// and a new run.
export async function openDemo(options: DemoOptions): Promise<OpenedRun | { served: string }> {
  const { stateDir } = options;
  const loaded = await loadRunbook(options.runbook);
  const env = embeddedOnly(loaded);
  const embedded = Object.values(loaded.runbook.connections ?? {}).map((c) => c.embedded);
  if (embedded.some((e) => e === undefined)) {
    throw new StepwiseError(`${options.runbook}: every connection needs \`embedded:\` for the demo`);
  }
  const latest = options.reset ? undefined : findLatestRun(stateDir, loaded.runbook.name);
  const common = { stateDir, operator: options.operator, vars: options.vars, env, soakFor: options.soakFor };
  if (latest && !latest.finished) {
    if (options.served(latest.runId)) return { served: latest.runId };
    return resumeRun({
      ...common,
      ref: latest.runId,
      acceptDrift: async () => true,
      purpose: 'resume',
      warn: (text) => options.warn(`warning: ${text}`),
    });
  }
  for (const name of embedded) {
    const dir = embeddedDir(stateDir, name!);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
  options.warn(`seeding the demo data into ${embeddedDir(stateDir, embedded[0]!)} …`);
  await seedDemo(loaded, stateDir, env, options.vars);
  return startRun(options.runbook, common);
}
