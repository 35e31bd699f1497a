import type {
  BackfillBody,
  CheckBody,
  CompareBody,
  Phase,
  RunBody,
  Runbook,
  SoakBody,
  SqlBody,
  Step,
  StepBody,
  WaitBody,
} from './schema.js';
import type { YamlPath } from './yaml-locator.js';

// Where a body sits: its step and phase (none for the runbook's demo), inside a rollback or not.
export interface BodyContext {
  phase?: Phase;
  step?: Step;
  inRollback: boolean;
}

type Site<K extends string, B> = { kind: K; body: B; path: YamlPath; context: BodyContext };

export type BodySite =
  | Site<'run', RunBody>
  | Site<'sql', SqlBody>
  | Site<'check', CheckBody>
  | Site<'wait', WaitBody>
  | Site<'backfill', BackfillBody>
  | Site<'compare', CompareBody>
  | Site<'manual', string>
  | Site<'soak', SoakBody>
  | Site<'demo', NonNullable<Runbook['demo']>>;

export type SqlRole = 'sql' | 'check' | 'wait' | 'backfill' | 'compare-query' | 'compare-where' | 'demo';

// One piece of SQL in the runbook: inline text, or a file given by its path as written.
export interface SqlSite {
  role: SqlRole;
  // The YAML node of the text, or of the `file:` value.
  path: YamlPath;
  text?: string;
  file?: string;
  conn: string | undefined;
  // False for `sql: { transaction: false }`.
  transaction: boolean;
  context: BodyContext;
}

// A place that names a connection, or leaves it to the default (name undefined).
export interface ConnUse {
  name: string | undefined;
  // The `conn:` value, or the body when `conn` is omitted.
  path: YamlPath;
  context: BodyContext;
}

class BodyLister {
  readonly sites: BodySite[] = [];

  add<K extends BodySite['kind']>(
    kind: K,
    body: Extract<BodySite, { kind: K }>['body'],
    path: YamlPath,
    context: BodyContext,
  ) {
    this.sites.push({ kind, body, path, context } as BodySite);
    if (kind === 'check') this.nestedInCheck(body as CheckBody, path, context);
    if (kind === 'wait' && (body as WaitBody).run)
      this.add('run', (body as WaitBody).run!, [...path, 'run'], context);
    if (kind === 'backfill' && (body as BackfillBody).throttle) {
      this.add('check', (body as BackfillBody).throttle!, [...path, 'throttle'], context);
    }
    if (kind === 'soak') {
      (body as SoakBody).checks.forEach((check, i) => this.add('check', check, [...path, 'checks', i], context));
    }
  }

  private nestedInCheck(body: CheckBody, path: YamlPath, context: BodyContext) {
    if ('run' in body) this.add('run', body.run, [...path, 'run'], context);
    if ('compare' in body) this.add('compare', body.compare, [...path, 'compare'], context);
  }

  stepBody(body: StepBody | Step, path: YamlPath, context: BodyContext) {
    if (body.run !== undefined) this.add('run', body.run, [...path, 'run'], context);
    if (body.sql !== undefined) this.add('sql', body.sql, [...path, 'sql'], context);
    if (body.check !== undefined) this.add('check', body.check, [...path, 'check'], context);
    if (body.wait !== undefined) this.add('wait', body.wait, [...path, 'wait'], context);
    if (body.manual !== undefined) this.add('manual', body.manual, [...path, 'manual'], context);
    if (body.backfill !== undefined) this.add('backfill', body.backfill, [...path, 'backfill'], context);
    if (body.compare !== undefined) this.add('compare', body.compare, [...path, 'compare'], context);
    if ('soak' in body && body.soak !== undefined) this.add('soak', body.soak, [...path, 'soak'], context);
  }
}

// Every body in the runbook, nested ones (rollback, verify, probe, gate checks, throttle) included.
export function listBodies(runbook: Runbook): BodySite[] {
  const lister = new BodyLister();
  runbook.phases.forEach((phase, p) => {
    phase.steps.forEach((step, s) => {
      const path = ['phases', p, 'steps', s];
      const context = { phase, step, inRollback: false };
      lister.stepBody(step, path, context);
      if (step.verify) lister.add('check', step.verify, [...path, 'verify'], context);
      if (step.probe) lister.add('check', step.probe, [...path, 'probe'], context);
      if (step.rollback)
        lister.stepBody(step.rollback, [...path, 'rollback'], { ...context, inRollback: true });
    });
    phase.gate?.checks?.forEach((check, c) => {
      lister.add('check', check, ['phases', p, 'gate', 'checks', c], { phase, inRollback: false });
    });
  });
  if (runbook.demo) lister.add('demo', runbook.demo, ['demo'], { inRollback: false });
  return lister.sites;
}

function textOrFile(
  role: SqlRole,
  body: { conn?: string; text?: string; file?: string },
  path: YamlPath,
  context: BodyContext,
  transaction = true,
): SqlSite[] {
  const common = { role, conn: body.conn, transaction, context };
  if (body.file !== undefined) return [{ ...common, path: [...path, 'file'], file: body.file }];
  if (body.text !== undefined) return [{ ...common, path: [...path, 'text'], text: body.text }];
  return [];
}

export function listSqlSites(bodies: BodySite[]): SqlSite[] {
  return bodies.flatMap((site): SqlSite[] => {
    const { path, context } = site;
    switch (site.kind) {
      case 'sql':
        if (typeof site.body === 'string') {
          return [{ role: 'sql', path, text: site.body, conn: undefined, transaction: true, context }];
        }
        return textOrFile('sql', site.body, path, context, site.body.transaction !== false);
      case 'demo':
        return textOrFile('demo', site.body, path, context);
      case 'check':
        if (!('sql' in site.body)) return [];
        return [
          {
            role: 'check',
            path: [...path, 'sql'],
            text: site.body.sql,
            conn: site.body.conn,
            transaction: true,
            context,
          },
        ];
      case 'wait':
        if (site.body.sql === undefined) return [];
        return [
          {
            role: 'wait',
            path: [...path, 'sql'],
            text: site.body.sql,
            conn: site.body.conn,
            transaction: true,
            context,
          },
        ];
      case 'backfill':
        return [
          {
            role: 'backfill',
            path: [...path, 'sql'],
            text: site.body.sql,
            conn: site.body.conn,
            transaction: true,
            context,
          },
        ];
      case 'compare':
        return (['left', 'right'] as const).flatMap((side) => {
          const spec = site.body[side];
          const sidePath = [...path, side];
          const sites: SqlSite[] = [];
          const common = { conn: spec.conn, transaction: true, context };
          if (spec.query !== undefined)
            sites.push({ ...common, role: 'compare-query', path: [...sidePath, 'query'], text: spec.query });
          if (spec.where !== undefined)
            sites.push({ ...common, role: 'compare-where', path: [...sidePath, 'where'], text: spec.where });
          return sites;
        });
      default:
        return [];
    }
  });
}

function use(body: { conn?: string }, path: YamlPath, context: BodyContext): ConnUse {
  return { name: body.conn, path: body.conn === undefined ? path : [...path, 'conn'], context };
}

export function listConnUses(bodies: BodySite[]): ConnUse[] {
  return bodies.flatMap((site): ConnUse[] => {
    const { body, path, context } = site;
    switch (site.kind) {
      case 'sql':
        return [
          typeof site.body === 'string' ? { name: undefined, path, context } : use(site.body, path, context),
        ];
      case 'demo':
      case 'wait':
        return site.kind === 'wait' && site.body.sql === undefined
          ? []
          : [use(body as { conn?: string }, path, context)];
      case 'check':
        return 'sql' in site.body ? [use(site.body, path, context)] : [];
      case 'backfill': {
        const uses = [use(site.body, path, context)];
        if (site.body.into !== undefined)
          uses.push({ name: site.body.into, path: [...path, 'into'], context });
        return uses;
      }
      case 'compare':
        return [
          use(site.body.left, [...path, 'left'], context),
          use(site.body.right, [...path, 'right'], context),
        ];
      default:
        return [];
    }
  });
}
