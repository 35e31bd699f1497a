// Templating contract (runbooks/README.md describes templates).
export interface Renderer {
  // `{{ vars.x }}`, `{{ conn.app.url }}`, `{{ run.id }}`, `{{ run.operator }}` substituted as plain
  // text: for one argv element (no shell) and for titles.
  text(template: string): string;
  // The same, every value shell-quoted: for `{ shell: }`.
  shell(template: string): string;
  // SQL: `{{ ident vars.t }}` becomes a quoted identifier; `:name` becomes a bound parameter
  // ($n) from vars and `extra` (e.g. lo, hi). No value is ever pasted into the SQL text.
  sql(text: string, extra?: Record<string, unknown>): { text: string; params: unknown[] };
  // Replaces every secret value (secret vars, connection passwords) with ***.
  mask(text: string): string;
  // The values `mask` hides, longest first: for output masked off the main thread.
  secrets: readonly string[];
  // Resolved variables with secrets masked, for the journal and screens.
  maskedVars(): Record<string, string>;
}
