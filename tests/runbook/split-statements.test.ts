import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/errors/stepwise-error.js';
import { splitStatements } from '../../src/runbook/split-statements.js';

describe('splitting a SQL file into statements', () => {
  it('keeps $$ function bodies, strings and comments holding ; inside their statement', () => {
    const sql = `-- create the queue; then the trigger
SET lock_timeout = '5s';
CREATE TABLE q (id bigint PRIMARY KEY, note text DEFAULT 'a;b');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.note := 'x;y'; -- ; here too
  RETURN NEW;
END;
$$;
/* a block comment; with a semicolon */
CREATE TRIGGER t BEFORE INSERT ON q FOR EACH ROW EXECUTE FUNCTION touch();
`;
    const statements = splitStatements(sql);
    expect(statements).toHaveLength(4);
    expect(statements[0]).toBe("SET lock_timeout = '5s'");
    expect(statements[1]).toBe("CREATE TABLE q (id bigint PRIMARY KEY, note text DEFAULT 'a;b')");
    expect(statements[2]).toMatch(/^CREATE FUNCTION touch\(\)[\s\S]*RETURN NEW;\nEND;\n\$\$$/);
    expect(statements[3]).toBe('CREATE TRIGGER t BEFORE INSERT ON q FOR EACH ROW EXECUTE FUNCTION touch()');
  });

  it('keeps :name parameters and {{ ident }} names for the renderer', () => {
    expect(splitStatements('DELETE FROM {{ ident vars.t }} WHERE id = :id; SELECT :id::int')).toEqual([
      'DELETE FROM {{ ident vars.t }} WHERE id = :id',
      'SELECT :id::int',
    ]);
  });

  it('handles text that is not ASCII before a statement boundary', () => {
    expect(splitStatements("SELECT 'größe — ✓'; SELECT 2")).toEqual(["SELECT 'größe — ✓'", 'SELECT 2']);
  });

  it('returns nothing for comments only, and says so when the SQL does not parse', () => {
    expect(splitStatements('-- nothing yet\n')).toEqual([]);
    expect(() => splitStatements('SELEC 1')).toThrow(StepwiseError);
    expect(() => splitStatements('SELEC 1')).toThrow(/syntax error at or near "SELEC"/);
  });
});
