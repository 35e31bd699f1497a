import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreateStmt,
  DeleteStmt,
  DropStmt,
  FuncCall,
  IndexStmt,
  InsertStmt,
  Node,
  RangeVar,
  ReindexStmt,
  SelectStmt,
  TruncateStmt,
  UpdateStmt,
  VariableSetStmt,
} from 'libpg-query';
import { NotNullProofs } from './not-null-proofs.js';
import type { ParsedStatement } from './parse-sql.js';
import type { SqlSite } from './runbook-bodies.js';
import type { SqlRuleName } from './sql-rule-names.js';

// The SQL safety rules of `stepwise lint`, decided on PostgreSQL's own parse tree.

export interface SqlRuleInput {
  site: SqlSite;
  statements: ParsedStatement[];
  // The connection the SQL runs on is `production: true`.
  production: boolean;
  // The connection's name, to tell its tables from another database's.
  conn?: string;
  // Shared by the runbook's SQL in order: NOT NULL checks validated by earlier SQL.
  proofs?: NotNullProofs;
}

export interface SqlWarning {
  // String index of the statement in the site's SQL.
  index: number;
  rule: SqlRuleName;
  message: string;
}

function get<T>(node: unknown, type: string): T | undefined {
  return node && typeof node === 'object' && type in node ? (node as Record<string, T>)[type] : undefined;
}

function typeOf(node: Node): string {
  return Object.keys(node)[0] ?? '';
}

// Every node of `type` anywhere below `node`.
function findAll<T>(node: unknown, type: string, out: T[] = []): T[] {
  if (Array.isArray(node)) for (const item of node) findAll(item, type, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === type) out.push(value as T);
      findAll(value, type, out);
    }
  }
  return out;
}

function tableName(rel: RangeVar | undefined): string {
  if (!rel?.relname) return 'the table';
  return rel.schemaname ? `${rel.schemaname}.${rel.relname}` : rel.relname;
}

function dottedName(node: Node | undefined): string {
  const items = get<{ items?: Node[] }>(node, 'List')?.items ?? [];
  return items.map((item) => get<{ sval?: string }>(item, 'String')?.sval ?? '?').join('.');
}

function constraintsOf(def: ColumnDef | undefined): Constraint[] {
  return (def?.constraints ?? []).flatMap((c) => get<Constraint>(c, 'Constraint') ?? []);
}

// Functions whose default forces PostgreSQL to rewrite the table when a column is added.
const volatileFunctions = new Set([
  'random',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
]);
const serialTypes = new Set(['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8']);

function volatileDefault(def: ColumnDef | undefined): string | undefined {
  const typeName = def?.typeName?.names?.map((n) => get<{ sval?: string }>(n, 'String')?.sval).at(-1);
  if (typeName && serialTypes.has(typeName)) return `${typeName} (nextval())`;
  for (const constraint of constraintsOf(def)) {
    if (constraint.contype !== 'CONSTR_DEFAULT') continue;
    for (const call of findAll<FuncCall>(constraint.raw_expr, 'FuncCall')) {
      const name = call.funcname?.map((n) => get<{ sval?: string }>(n, 'String')?.sval).at(-1);
      if (name && volatileFunctions.has(name)) return `${name}()`;
    }
  }
  return undefined;
}

const readOnly = new Set([
  'VariableSetStmt',
  'VariableShowStmt',
  'TransactionStmt',
  'ExplainStmt',
  'LockStmt',
]);

function isMutating(stmt: Node): boolean {
  const select = get<SelectStmt>(stmt, 'SelectStmt');
  if (select) return select.intoClause !== undefined;
  return !readOnly.has(typeOf(stmt));
}

function isConcurrentReindex(reindex: ReindexStmt | undefined): boolean {
  return (reindex?.params ?? []).some(
    (p) => get<{ defname?: string }>(p, 'DefElem')?.defname === 'concurrently',
  );
}

const lockingDrops = new Set([
  'OBJECT_TABLE',
  'OBJECT_INDEX',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_TRIGGER',
  'OBJECT_RULE',
  'OBJECT_POLICY',
  'OBJECT_FOREIGN_TABLE',
]);
const lockingTypes = new Set([
  'AlterTableStmt',
  'TruncateStmt',
  'RenameStmt',
  'CreateTrigStmt',
  'RuleStmt',
  'ClusterStmt',
]);

// DDL that takes a lock on an existing table: it can queue behind a long transaction.
function takesTableLock(stmt: Node, created: Set<string>): boolean {
  const alter = get<AlterTableStmt>(stmt, 'AlterTableStmt');
  if (alter) return !created.has(tableName(alter.relation));
  const index = get<IndexStmt>(stmt, 'IndexStmt');
  if (index) return !index.concurrent && !created.has(tableName(index.relation));
  const drop = get<DropStmt>(stmt, 'DropStmt');
  if (drop) return !drop.concurrent && lockingDrops.has(drop.removeType ?? '');
  const reindex = get<ReindexStmt>(stmt, 'ReindexStmt');
  if (reindex) return !isConcurrentReindex(reindex);
  const create = get<CreateStmt>(stmt, 'CreateStmt');
  if (create) return findAll<Constraint>(create, 'Constraint').some((c) => c.contype === 'CONSTR_FOREIGN');
  return lockingTypes.has(typeOf(stmt));
}

// `ALTER TABLE tasks`, `DROP VIEW v`: how a lock-taking statement is named in a warning.
function describeDdl(stmt: Node): string {
  const alter = get<AlterTableStmt>(stmt, 'AlterTableStmt');
  if (alter) return `ALTER TABLE ${tableName(alter.relation)}`;
  const index = get<IndexStmt>(stmt, 'IndexStmt');
  if (index) return `CREATE INDEX on ${tableName(index.relation)}`;
  const drop = get<DropStmt>(stmt, 'DropStmt');
  if (drop) {
    const what = (drop.removeType ?? '').replace('OBJECT_', '').replace('_', ' ');
    return `DROP ${what} ${(drop.objects ?? []).map(dottedName).join(', ')}`;
  }
  const trigger = get<{ relation?: RangeVar }>(stmt, 'CreateTrigStmt');
  if (trigger) return `CREATE TRIGGER on ${tableName(trigger.relation)}`;
  const create = get<CreateStmt>(stmt, 'CreateStmt');
  if (create) return `CREATE TABLE ${tableName(create.relation)} with a foreign key`;
  const words: Record<string, string> = {
    TruncateStmt: 'TRUNCATE',
    RenameStmt: 'RENAME',
    RuleStmt: 'CREATE RULE',
    ClusterStmt: 'CLUSTER',
    ReindexStmt: 'REINDEX',
  };
  return words[typeOf(stmt)] ?? 'DDL';
}

function isCleanupPhase(site: SqlSite): boolean {
  const phase = site.context.phase;
  return /cleanup/i.test(phase?.id ?? '') || /cleanup/i.test(phase?.title ?? '');
}

class RuleRunner {
  readonly warnings: SqlWarning[] = [];
  // Tables created by this same SQL: new, empty and unseen by other sessions, so locks are moot.
  private readonly created = new Set<string>();
  private readonly proofs: NotNullProofs;

  constructor(private readonly input: SqlRuleInput) {
    this.proofs = input.proofs ?? new NotNullProofs();
    for (const { stmt } of input.statements) {
      const create = get<CreateStmt>(stmt, 'CreateStmt');
      if (create) this.created.add(tableName(create.relation));
    }
  }

  private warn(index: number, rule: SqlRuleName, message: string) {
    this.warnings.push({ index, rule, message });
  }

  run(): SqlWarning[] {
    const { role, context } = this.input.site;
    if (role === 'sql') {
      for (const s of this.input.statements) this.statementRules(s);
      this.lockTimeout();
    }
    if (role === 'sql' || role === 'backfill') {
      for (const s of this.input.statements) this.missingWhere(s);
      if (!context.inRollback) this.productionConfirm();
    }
    if (role === 'backfill') this.backfillIdempotent();
    return this.warnings;
  }

  private statementRules({ stmt, start }: ParsedStatement) {
    const index = get<IndexStmt>(stmt, 'IndexStmt');
    const drop = get<DropStmt>(stmt, 'DropStmt');
    const reindex = get<ReindexStmt>(stmt, 'ReindexStmt');
    if (index && !index.concurrent && !this.created.has(tableName(index.relation))) {
      this.warn(
        start,
        'index-concurrently',
        `CREATE INDEX without CONCURRENTLY blocks writes to ${tableName(index.relation)} while it builds; ` +
          'use CREATE INDEX CONCURRENTLY in a step with transaction: false',
      );
    }
    if (drop?.removeType === 'OBJECT_INDEX' && !drop.concurrent) {
      this.warn(
        start,
        'index-concurrently',
        `DROP INDEX ${dottedName(drop.objects?.[0])} without CONCURRENTLY locks its table against reads and writes; ` +
          'use DROP INDEX CONCURRENTLY in a step with transaction: false',
      );
    }
    const concurrent = index?.concurrent || drop?.concurrent || isConcurrentReindex(reindex);
    if (concurrent && this.input.site.transaction) {
      const what = index ? 'CREATE INDEX' : drop ? 'DROP INDEX' : 'REINDEX';
      this.warn(
        start,
        'concurrently-in-transaction',
        `${what} CONCURRENTLY cannot run inside a transaction and will fail; set transaction: false on this sql step`,
      );
    }
    const alter = get<AlterTableStmt>(stmt, 'AlterTableStmt');
    if (alter && !this.created.has(tableName(alter.relation))) {
      for (const cmd of alter.cmds ?? [])
        this.alterTableRules(start, tableName(alter.relation), get<AlterTableCmd>(cmd, 'AlterTableCmd'));
    }
    this.destructive(start, stmt);
  }

  private alterTableRules(start: number, table: string, cmd: AlterTableCmd | undefined) {
    if (!cmd) return;
    // A rollback's SQL runs only if the steps are undone: it proves nothing for the next step.
    const proofTable = `${this.input.conn ?? ''}\0${table}`;
    if (!this.input.site.context.inRollback) this.proofs.see(proofTable, cmd);
    const column = get<ColumnDef>(cmd.def, 'ColumnDef');
    const constraint = get<Constraint>(cmd.def, 'Constraint');
    const validated = [constraint, ...(cmd.subtype === 'AT_AddColumn' ? constraintsOf(column) : [])].filter(
      (c): c is Constraint =>
        c !== undefined &&
        (c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK') &&
        !c.skip_validation,
    );
    for (const c of validated) {
      const kind = c.contype === 'CONSTR_FOREIGN' ? 'FOREIGN KEY' : 'CHECK';
      const how =
        cmd.subtype === 'AT_AddColumn'
          ? `add column ${column?.colname} first, then ADD CONSTRAINT … ${kind} … NOT VALID and VALIDATE CONSTRAINT separately`
          : 'add it NOT VALID, then VALIDATE CONSTRAINT in a later statement';
      this.warn(
        start,
        'constraint-not-valid',
        `${kind} constraint${c.conname ? ` ${c.conname}` : ''} on ${table} is validated while writes are blocked; ${how}`,
      );
    }
    if (cmd.subtype === 'AT_SetNotNull' && !this.proofs.has(proofTable, cmd.name ?? '')) {
      this.warn(
        start,
        'set-not-null',
        `SET NOT NULL on ${table}.${cmd.name} scans the whole table under an ACCESS EXCLUSIVE lock; ` +
          `add CHECK (${cmd.name} IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL`,
      );
    }
    const volatile = cmd.subtype === 'AT_AddColumn' ? volatileDefault(column) : undefined;
    if (volatile) {
      this.warn(
        start,
        'volatile-default',
        `ADD COLUMN ${column?.colname} with the volatile default ${volatile} rewrites ${table} under an ACCESS EXCLUSIVE lock; ` +
          'add the column without a default, backfill it in batches, then SET DEFAULT',
      );
    }
    if (cmd.subtype === 'AT_AlterColumnType') {
      this.warn(
        start,
        'alter-column-type',
        `ALTER COLUMN ${cmd.name} TYPE may rewrite ${table} and its indexes under an ACCESS EXCLUSIVE lock; ` +
          'add a new column, backfill it and switch over, unless the change is binary-compatible (e.g. varchar(n) to text)',
      );
    }
    if (cmd.subtype === 'AT_DropColumn') this.destructiveAt(start, `DROP COLUMN ${table}.${cmd.name}`);
  }

  private destructive(start: number, stmt: Node) {
    const drop = get<DropStmt>(stmt, 'DropStmt');
    if (drop?.removeType === 'OBJECT_TABLE') {
      this.destructiveAt(start, `DROP TABLE ${(drop.objects ?? []).map(dottedName).join(', ')}`);
    }
    const truncate = get<TruncateStmt>(stmt, 'TruncateStmt');
    if (truncate) {
      const names = (truncate.relations ?? []).map((r) => tableName(get<RangeVar>(r, 'RangeVar')));
      this.destructiveAt(start, `TRUNCATE ${names.join(', ')}`);
    }
  }

  private destructiveAt(start: number, what: string) {
    const { context } = this.input.site;
    if (context.inRollback) return;
    const guarded = context.step?.rollback !== undefined || context.step?.confirm !== undefined;
    const cleanup = isCleanupPhase(this.input.site);
    if (cleanup && guarded) return;
    const fixes = [
      cleanup ? '' : 'move it to a phase whose id or title contains "cleanup"',
      guarded ? '' : 'give the step confirm: (or a rollback:)',
    ].filter(Boolean);
    const problem = cleanup ? 'cannot be undone' : 'destroys data outside the cleanup phase';
    this.warn(start, 'destructive-statement', `${what} ${problem}; ${fixes.join(' and ')}`);
  }

  private missingWhere({ stmt, start }: ParsedStatement) {
    const update = get<UpdateStmt>(stmt, 'UpdateStmt');
    const del = get<DeleteStmt>(stmt, 'DeleteStmt');
    const target = update ?? del;
    if (!target || target.whereClause !== undefined) return;
    const verb = update ? 'UPDATE' : 'DELETE';
    this.warn(
      start,
      'missing-where',
      `${verb} ${tableName(target.relation)} without WHERE changes every row; add a WHERE clause (WHERE true if that is meant)`,
    );
  }

  private productionConfirm() {
    const { step } = this.input.site.context;
    if (!this.input.production || !step || step.confirm !== undefined || step.rollback !== undefined) return;
    const first = this.input.statements.find((s) => isMutating(s.stmt));
    if (!first) return;
    this.warn(
      first.start,
      'production-confirm',
      `step "${step.id}" changes a production database with neither confirm: nor rollback:; add confirm: true (or a phrase to type)`,
    );
  }

  private lockTimeout() {
    let timeoutSet = false;
    for (const { stmt, start } of this.input.statements) {
      if (get<VariableSetStmt>(stmt, 'VariableSetStmt')?.name === 'lock_timeout') timeoutSet = true;
      if (timeoutSet || !takesTableLock(stmt, this.created)) continue;
      const set = this.input.site.transaction ? "SET LOCAL lock_timeout = '5s'" : "SET lock_timeout = '5s'";
      this.warn(
        start,
        'lock-timeout',
        `${describeDdl(stmt)} without SET lock_timeout can wait behind a long transaction while every query on the table ` +
          `queues behind it; start the SQL with ${set}`,
      );
      return;
    }
  }

  private backfillIdempotent() {
    const notExists = findAll<{ boolop?: string; args?: Node[] }>(
      this.input.statements.map((s) => s.stmt),
      'BoolExpr',
    ).some(
      (b) =>
        b.boolop === 'NOT_EXPR' &&
        (b.args ?? []).some(
          (a) => get<{ subLinkType?: string }>(a, 'SubLink')?.subLinkType === 'EXISTS_SUBLINK',
        ),
    );
    if (notExists) return;
    for (const { stmt, start } of this.input.statements) {
      const insert = get<InsertStmt>(stmt, 'InsertStmt');
      if (!insert || insert.onConflictClause) continue;
      this.warn(
        start,
        'backfill-idempotent',
        `backfill INSERT INTO ${tableName(insert.relation)} has no ON CONFLICT or NOT EXISTS: it fails on rows the dual-write ` +
          'trigger already copied and on a retried batch; add ON CONFLICT (key) DO NOTHING',
      );
    }
  }
}

export function sqlSafetyWarnings(input: SqlRuleInput): SqlWarning[] {
  return new RuleRunner(input).run();
}
