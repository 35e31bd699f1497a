import { compareExecutor } from '../../src/engine/executors/compare.js';
import { makeExecContext } from '../helpers/exec-context.js';
import { type BenchDatabase, createAccounts, openBenchDatabase, timed } from './bench-database.js';
import { type Benchmark, type BenchResult, median } from './benchmark.js';

const rows = 1_000_000;
const rounds = 3;

const exceptBoth = `SELECT count(*) AS n FROM (
  (SELECT * FROM bench_left EXCEPT SELECT * FROM bench_right)
  UNION ALL
  (SELECT * FROM bench_right EXCEPT SELECT * FROM bench_left)) d`;

async function compare(db: BenchDatabase): Promise<number> {
  const t = makeExecContext({ connections: { app: db.conn } });
  return timed(async () => {
    const result = await compareExecutor(
      { left: { table: 'bench_left', key: 'aid' }, right: { table: 'bench_right', key: 'aid' } },
      t.ctx,
    );
    if (!result.ok) throw new Error(`compare found differences in equal tables: ${result.error}`);
  });
}

export const compareBenchmark: Benchmark = {
  name: 'compare',
  async run(): Promise<BenchResult[]> {
    const db = await openBenchDatabase('bench_cmp');
    try {
      await createAccounts(db.conn, 'bench_left', rows);
      await db.conn.query('CREATE TABLE bench_right (LIKE bench_left INCLUDING ALL)');
      await db.conn.query('INSERT INTO bench_right SELECT * FROM bench_left');
      await db.conn.query('VACUUM ANALYZE bench_right');
      const except: number[] = [];
      const ours: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        except.push(await timed(() => db.conn.query(exceptBoth)));
        ours.push(await compare(db));
      }
      const exceptMs = median(except);
      const compareMs = median(ours);
      const ratio = median(ours.map((ms, i) => ms / except[i]));
      return [
        {
          name: 'compare 1M equal rows vs EXCEPT both ways',
          value: Math.round(compareMs),
          unit: 'ms',
          baseline: Math.round(exceptMs),
          ratio: Number(ratio.toFixed(3)),
          target: 'ratio ≤ 1.0',
          pass: ratio <= 1,
          details: { rows, compare_ms: ours.map(Math.round), except_ms: except.map(Math.round) },
        },
      ];
    } finally {
      await db.close();
    }
  },
};
