import type { CompareColumn, DescribedSide, SideSource } from './describe-side.js';
import { normaliseValue, rowText } from './normalise-value.js';

// Types whose values are equal exactly when their normalised text is: such a column is hashed as
// it is stored, skipping the text conversion that dominates a fingerprint's cost. Floats are not
// among them (-0 and 0 are equal but print apart), nor jsonb (1.0 and 1.00).
const hashedAsStored = new Set([
  'smallint',
  'integer',
  'bigint',
  'boolean',
  'text',
  'character varying',
  'character',
  'uuid',
  'date',
  'bytea',
  'numeric',
  'timestamp with time zone',
  'timestamp without time zone',
]);

// hash_record_extended came with PostgreSQL 14.
const recordHashSince = 140000;

function columnSql(column: CompareColumn, asStored: boolean): string {
  // COLLATE "C": a nondeterministic collation would hash 'A' and 'a' alike.
  const value = asStored ? `b.${column.sql}` : normaliseValue(`b.${column.sql}`, column.type);
  const collated = !asStored || ['text', 'character varying', 'character'].includes(column.type);
  return collated ? `(${value}) COLLATE "C"` : value;
}

// The 64-bit hash of a row over alias b that chunk fingerprints sum, the same expression on both
// sides. A column is hashed as stored when both sides have it in the same type from the list
// above, otherwise as normalised text. The outer hash mixes the record hash, which is linear in
// its columns' hashes: without it, values swapped between two rows would sum the same.
export function withRowHashes(left: DescribedSide, right: DescribedSide): [SideSource, SideSource] {
  const byRecord = left.serverVersion >= recordHashSince && right.serverVersion >= recordHashSince;
  const rowHash = (side: DescribedSide) => {
    if (!byRecord) return `hashtextextended(${rowText(side.columns, 'b')}, 0)`;
    const columns = side.columns.map((c, i) => {
      const other = (side === left ? right : left).columns[i];
      return columnSql(c, c.type === other.type && hashedAsStored.has(c.type));
    });
    return `hashint8extended(hash_record_extended(ROW(${columns.join(', ')}), 0), 0)`;
  };
  return [
    { ...left, rowHash: rowHash(left) },
    { ...right, rowHash: rowHash(right) },
  ];
}
