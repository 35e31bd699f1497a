import { hostname } from 'node:os';
import { join } from 'node:path';
import { FileJournal } from '../../src/journal/file-journal.js';
import type { EventPayload } from '../../src/journal/events.js';
import { PgJournal } from '../../src/store/pg-journal.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { type Benchmark, median } from './benchmark.js';
import { openBenchDatabase } from './bench-database.js';

// Team mode's journal against the file journal: state-changing events appended one after another,
// each durable before the next (fsync for the file, a committed INSERT through the journal's
// worker for PostgreSQL), as the engine appends them. Rounds alternate file and PostgreSQL.
const perRound = 500;
const rounds = 3;

const payload = (i: number): EventPayload => ({ type: 'step.started', step: `step-${i}`, attempt: 1, operator: 'bench', log: '' });

function appendsPerSecond(append: (p: EventPayload) => void): number {
  const started = performance.now();
  for (let i = 0; i < perRound; i++) append(payload(i));
  return Math.round((perRound / (performance.now() - started)) * 1000);
}

export const teamJournalBenchmark: Benchmark = {
  name: 'team-journal',
  async run() {
    const db = await openBenchDatabase('bench_team_journal');
    const file: number[] = [];
    const pg: number[] = [];
    try {
      for (let round = 0; round < rounds; round++) {
        const journal = FileJournal.create(join(tempStateDir('stepwise-bench-journal-'), 'journal.jsonl'));
        file.push(appendsPerSecond((p) => journal.append(p)));
        journal.close();
        const { journal: stored } = PgJournal.open({
          url: db.url,
          runId: `bench-${round}-20261206T000000Z`,
          me: { engineId: `bench-${round}`, host: hostname(), pid: process.pid },
          create: { runbook: 'bench', stepDefinitions: '{}' },
        });
        pg.push(appendsPerSecond((p) => stored.append(p)));
        stored.close();
      }
    } finally {
      await db.close();
    }
    const value = median(pg);
    const baseline = median(file);
    return [
      {
        name: 'journal appends/s: PostgreSQL (baseline: file with fsync)',
        value,
        unit: 'appends/s',
        baseline,
        ratio: Math.round((value / baseline) * 100) / 100,
        details: { file, postgres: pg, perRound },
      },
    ];
  },
};
