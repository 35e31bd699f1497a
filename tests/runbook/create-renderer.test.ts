import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRenderer } from '../../src/runbook/create-renderer.js';
import { splitStatements } from '../../src/runbook/split-statements.js';
import { openEmbedded } from '../helpers/embedded-database.js';

const sandbox = mkdtempSync(join(tmpdir(), 'stepwise-inject-'));
const marker = join(sandbox, 'pwned');
const hostile = {
  quote: "'; DROP TABLE rn_notes; --",
  subshell: `$(touch ${marker})`,
  backticks: `\`touch ${marker}\``,
};

function renderer(vars: Record<string, string | number | boolean> = hostile) {
  return createRenderer({
    vars: { ...vars, token: 'tok-SECRET-123', table: 'public.rn_notes' },
    secretVars: ['token'],
    connections: { app: { url: 'postgres://app:p%40ss%2Fword@db.internal:5432/app' }, local: {} },
    run: { id: 'queue-20261123T0200Z', operator: 'alice@bastion' },
  });
}

describe('values with shell metacharacters stay values', () => {
  it('run argv: each element is substituted verbatim, no shell sees it', async () => {
    const r = renderer();
    const argv = [
      'printf',
      '%s|%s|%s',
      '{{ vars.quote }}',
      '{{ vars.subshell }}',
      '{{ vars.backticks }}',
    ].map(r.text);
    const { stdout } = await execa(argv[0], argv.slice(1));
    expect(stdout).toBe(`${hostile.quote}|${hostile.subshell}|${hostile.backticks}`);
    expect(existsSync(marker)).toBe(false);
  });

  it('run shell: every value is shell-quoted', async () => {
    const command = renderer().shell(
      'printf "%s\\n" {{ vars.quote }} {{ vars.subshell }} {{ vars.backticks }}',
    );
    const { stdout } = await execa('sh', ['-c', command]);
    expect(stdout.split('\n')).toEqual([hostile.quote, hostile.subshell, hostile.backticks]);
    expect(existsSync(marker)).toBe(false);
  });

  it('fills {{ run.id }}, {{ run.operator }} and {{ conn.app.url }} as plain text', () => {
    const r = renderer();
    expect(r.text('backup-{{ run.id }}.dump by {{run.operator}}')).toBe(
      'backup-queue-20261123T0200Z.dump by alice@bastion',
    );
    expect(r.text('{{ conn.app.url }}')).toBe('postgres://app:p%40ss%2Fword@db.internal:5432/app');
    expect(() => r.text('{{ conn.local.url }}')).toThrow(/connection local has no url/);
    expect(() => r.text('{{ ident vars.table }}')).toThrow(/only for SQL/);
  });
});

describe('SQL: values are bound, names are quoted', () => {
  it('turns :name into $n, the same name into the same $n, extra values over vars', () => {
    const { text, params } = renderer({ a: 1, b: 'x' }).sql('SELECT :a, :b, :a, :lo WHERE k > :lo', {
      lo: 10,
    });
    expect(text).toBe('SELECT $1, $2, $1, $3 WHERE k > $3');
    expect(params).toEqual([1, 'x', 10]);
  });

  it('never touches strings, comments, casts, quoted names or dollar-quoted bodies', () => {
    const sql = `SELECT ':a', "col:a", x::text, $$ :a $$, $f$ :a $f$ /* :a */ -- :a\n, :a, arr[1:2]`;
    const { text, params } = renderer({ a: 'v' }).sql(sql);
    expect(text).toBe(`SELECT ':a', "col:a", x::text, $$ :a $$, $f$ :a $f$ /* :a */ -- :a\n, $1, arr[1:2]`);
    expect(params).toEqual(['v']);
  });

  it('quotes {{ ident vars.x }} as a name, schema-qualified when it has a dot', () => {
    const r = renderer({ evil: 'x"; DROP TABLE t; --' });
    expect(r.sql('SELECT * FROM {{ ident vars.table }}').text).toBe('SELECT * FROM "public"."rn_notes"');
    expect(r.sql('SELECT 1 AS {{ ident vars.evil }}').text).toBe('SELECT 1 AS "x""; DROP TABLE t; --"');
  });

  it('refuses a value pasted into SQL and a parameter without a value', () => {
    expect(() => renderer().sql("SELECT '{{ vars.quote }}'")).toThrow(/bind a :name parameter/);
    expect(() => renderer().sql('SELECT :missing')).toThrow(/:missing has no value/);
  });

  const databases: Array<
    [
      string,
      () => Promise<{
        run: (text: string, params: unknown[]) => Promise<unknown[]>;
        close: () => Promise<void>;
      }>,
    ]
  > = [
    [
      'PGlite',
      async () => {
        const db = await openEmbedded();
        return { run: async (t, p) => (await db.query(t, p)).rows, close: () => db.close() };
      },
    ],
  ];
  if (process.env.TEST_DATABASE_URL) {
    databases.push([
      'PostgreSQL',
      async () => {
        const sql = postgres(process.env.TEST_DATABASE_URL!, { onnotice: () => {} });
        const schema = `rn_${process.pid}_${Date.now()}`;
        await sql.unsafe(`CREATE SCHEMA ${schema}`);
        const reserved = await sql.reserve();
        await reserved.unsafe(`SET search_path TO ${schema}`);
        return {
          run: async (t, p) => [...(await reserved.unsafe(t, p as never[]))],
          close: async () => {
            reserved.release();
            await sql.unsafe(`DROP SCHEMA ${schema} CASCADE`);
            await sql.end();
          },
        };
      },
    ]);
  }

  describe.each(databases)('on %s', (_name, open) => {
    let db: Awaited<ReturnType<typeof open>>;
    beforeAll(async () => {
      db = await open();
    }, 30_000);
    afterAll(async () => db?.close());

    it('stores hostile values verbatim and drops nothing', async () => {
      const r = createRenderer({
        vars: { ...hostile, table: 'rn_notes' },
        secretVars: [],
        connections: {},
        run: { id: 'r', operator: 'o' },
      });
      const script = `CREATE TABLE {{ ident vars.table }} (note text);
        INSERT INTO {{ ident vars.table }} (note) VALUES (:quote), (:subshell), (:backticks);`;
      for (const statement of splitStatements(script)) {
        const { text, params } = r.sql(statement);
        await db.run(text, params);
      }
      const rows = (await db.run('SELECT note FROM rn_notes ORDER BY note', [])) as Array<{ note: string }>;
      expect(rows.map((row) => row.note).sort()).toEqual(Object.values(hostile).sort());
    });
  });
});

describe('secrets are masked', () => {
  it('masks secret variables and connection passwords, raw and percent-decoded', () => {
    const r = renderer();
    const shown = r.mask('token tok-SECRET-123 url postgres://app:p%40ss%2Fword@db decoded p@ss/word');
    expect(shown).toBe('token *** url postgres://app:***@db decoded ***');
    expect(r.maskedVars()).toMatchObject({ token: '***', table: 'public.rn_notes', quote: hostile.quote });
  });

  it('works when mask is passed around without its object', () => {
    const { mask } = renderer();
    expect(mask('Bearer tok-SECRET-123')).toBe('Bearer ***');
  });
});
