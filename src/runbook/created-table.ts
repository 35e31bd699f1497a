import { parseSql } from './parse-sql.js';

interface IntoClause {
  rel?: { schemaname?: string; relname?: string };
}
interface StatementNode {
  CreateTableAsStmt?: { objtype?: string; into?: IntoClause };
  SelectStmt?: { intoClause?: IntoClause };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

// The table a `CREATE TABLE … AS` (or `SELECT … INTO`) statement creates, as a quoted name, so
// the rows it wrote can be counted: PGlite reports no row count for these statements.
export function createdTable(sql: string): string | undefined {
  const parsed = parseSql(sql);
  if (!parsed.ok || parsed.statements.length !== 1) return undefined;
  const node = parsed.statements[0].stmt as StatementNode;
  const ctas = node.CreateTableAsStmt;
  const into = ctas ? (ctas.objtype === 'OBJECT_TABLE' ? ctas.into : undefined) : node.SelectStmt?.intoClause;
  const rel = into?.rel;
  if (!rel?.relname) return undefined;
  return [rel.schemaname, rel.relname].filter((part): part is string => Boolean(part)).map(quote).join('.');
}
