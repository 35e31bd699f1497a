import type { LoadedRunbook } from './loaded-runbook.js';
import { quoteIdent } from './quote-ident.js';
import type { Renderer } from './render.js';
import type {
  BackfillBody,
  CheckBody,
  CompareBody,
  CompareSide,
  ExpectMap,
  ExpectValue,
  RunBody,
  SqlBody,
  Step,
  StepBody,
  WaitBody,
} from './schema.js';
import { findSqlParams } from './sql-placeholders.js';
import { replaceTemplates } from './template-refs.js';

const operators = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

// argv for a person to read: plain words as they are, anything else in single quotes.
function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function showArgv(argv: string[]): string {
  return argv.map(quoteArg).join(' ');
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function formatExpectValue(column: string, value: ExpectValue): string {
  if (value === null || typeof value !== 'object') return `${column} = ${formatValue(value)}`;
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([op, v]) => `${column} ${operators[op as keyof typeof operators]} ${formatValue(v)}`)
    .join(' and ');
}

function formatExpect(map: ExpectMap): string {
  return Object.entries(map)
    .map(([column, value]) => formatExpectValue(column, value))
    .join(', ');
}

class Preview {
  constructor(
    private readonly renderer: Renderer,
    private readonly loaded: LoadedRunbook,
  ) {}

  // A template that cannot be filled yet (e.g. a connection without url) is shown as written.
  private text(template: string): string {
    try {
      return this.renderer.text(template);
    } catch {
      return template;
    }
  }

  private shell(template: string): string {
    try {
      return this.renderer.shell(template);
    } catch {
      return template;
    }
  }

  // SQL as written, names filled in, `:name` kept, then one `-- :name = value` line per parameter.
  sql(text: string, bounds?: 'lo-hi'): string {
    const values = this.renderer.maskedVars();
    const shown = replaceTemplates(text, (m) =>
      m.ref?.kind === 'var' && m.ref.ident && values[m.ref.name] !== undefined
        ? quoteIdent(values[m.ref.name])
        : text.slice(m.start, m.end),
    );
    const lines = [shown.trim()];
    let names: string[];
    try {
      names = [...new Set(findSqlParams(shown).map((p) => p.name))];
    } catch {
      names = [];
    }
    for (const name of names) {
      if (bounds && (name === 'lo' || name === 'hi')) continue;
      lines.push(`-- :${name} = ${values[name] ?? '(no value)'}`);
    }
    if (bounds) lines.push('-- :lo, :hi = the key range of each batch (lo exclusive, hi inclusive)');
    return lines.join('\n');
  }

  run(body: RunBody): string {
    if (Array.isArray(body)) return showArgv(body.map((arg) => this.text(arg)));
    const lines = [
      body.argv ? showArgv(body.argv.map((arg) => this.text(arg))) : this.shell(body.shell ?? ''),
    ];
    if (body.cwd) lines.push(`# in ${this.text(body.cwd)}`);
    for (const [name, value] of Object.entries(body.env ?? {}))
      lines.push(`# env ${name}=${this.text(value)}`);
    if (body.expect) lines.push(this.runExpect(body.expect));
    return lines.join('\n');
  }

  private runExpect(expect: NonNullable<Extract<RunBody, { expect?: unknown }>['expect']>): string {
    const parts = [`exit ${(expect.exit ?? [0]).join(' or ')}`];
    if (expect.stdout) parts.push(`output matching /${expect.stdout}/`);
    return `# expects ${parts.join(', ')}`;
  }

  private on(conn: string | undefined): string[] {
    return conn ? [`-- on ${conn}`] : [];
  }

  sqlBody(body: SqlBody): string {
    if (typeof body === 'string') return this.sql(body);
    const header = [...this.on(body.conn)];
    if (body.file) header.push(`-- ${body.file}`);
    if (body.transaction === false) header.push('-- without a transaction');
    if (body.rows) {
      const guard = Object.entries(body.rows).map(([k, v]) => `${k} ${v}`);
      header.push(`-- rolled back unless rows affected: ${guard.join(', ')}`);
    }
    const text = body.file ? (this.loaded.files[body.file] ?? '') : (body.text ?? '');
    return [...header, this.sql(text)].join('\n');
  }

  check(body: CheckBody): string {
    if ('compare' in body) return this.compare(body.compare);
    if ('sql' in body)
      return [...this.on(body.conn), this.sql(body.sql), `-- expect ${formatExpect(body.expect)}`].join('\n');
    return [this.run(body.run), ...(body.expect ? [this.runExpect(body.expect)] : [])].join('\n');
  }

  wait(body: WaitBody): string {
    const probe =
      body.sql !== undefined ? [...this.on(body.conn), this.sql(body.sql)].join('\n') : this.run(body.run!);
    const schedule = [`until ${formatExpect(body.until)}`];
    if (body.every) schedule.push(`every ${body.every}`);
    if (body.timeout) schedule.push(`timeout ${body.timeout}`);
    const comment = body.sql !== undefined ? '--' : '#';
    return `${probe}\n${comment} ${schedule.join(', ')}`;
  }

  backfill(body: BackfillBody): string {
    const key = Array.isArray(body.key) ? `(${body.key.join(', ')})` : body.key;
    const batch = body.batch === undefined ? 'adaptive' : this.text(String(body.batch));
    const into = body.into ? ` into ${body.into}` : '';
    const lines = [`-- backfill from ${this.text(body.from)} by ${key}, batches of ${batch}${into}`];
    lines.push(...this.on(body.conn), this.sql(body.sql, 'lo-hi'));
    if (body.throttle) lines.push('-- before each batch, throttle check:', this.check(body.throttle));
    return lines.join('\n');
  }

  private side(side: CompareSide): string {
    const key = Array.isArray(side.key) ? side.key.join(', ') : side.key;
    const source = side.query !== undefined ? `(${this.sql(side.query)})` : this.text(side.table ?? '');
    const columns = side.columns ? ` (${side.columns.join(', ')})` : '';
    const where = side.where ? ` where ${side.where}` : '';
    return `${side.conn ? `${side.conn}: ` : ''}${source}${columns} by ${key}${where}`;
  }

  compare(body: CompareBody): string {
    return [`compare ${this.side(body.left)}`, `   with ${this.side(body.right)}`].join('\n');
  }

  manual(text: string): string {
    return this.text(text);
  }
}

// Exactly what a step (or a rollback or verify body) will run: values filled in, `:name`
// parameters listed with their values, sql files inlined, secrets masked.
export function previewStep(body: StepBody | Step, renderer: Renderer, loaded: LoadedRunbook): string {
  const preview = new Preview(renderer, loaded);
  let shown: string;
  if (body.run !== undefined) shown = preview.run(body.run);
  else if (body.sql !== undefined) shown = preview.sqlBody(body.sql);
  else if (body.check !== undefined) shown = preview.check(body.check);
  else if (body.wait !== undefined) shown = preview.wait(body.wait);
  else if (body.manual !== undefined) shown = preview.manual(body.manual);
  else if (body.backfill !== undefined) shown = preview.backfill(body.backfill);
  else if (body.compare !== undefined) shown = preview.compare(body.compare);
  else shown = '(nothing to run)';
  return renderer.mask(shown);
}
