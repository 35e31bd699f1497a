import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type SqlForm = 'statements' | 'where';

// The parser's version: SQL it accepted is known good only to that version.
function parserVersion(): string {
  return (createRequire(import.meta.url)('libpg-query/package.json') as { version: string }).version;
}
// The newest keys are kept: a few runbooks' SQL, never a growing file.
const maxKeys = 20_000;

// SQL texts PostgreSQL's parser accepted before, by hash, so a command that only reads a runbook
// (`plan`) checks its SQL without loading the parser (WebAssembly: most of such a command's time)
// when every text parsed before. A missing, damaged or other-version file is an empty cache. The
// file is read when first asked: a runbook taken from ValidatedRunbookCache never asks.
export class ParsedSqlCache {
  private changed = false;
  private known?: Set<string>;

  constructor(private readonly file: string) {}

  private get keys(): Set<string> {
    this.known ??= this.read();
    return this.known;
  }

  private read(): Set<string> {
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as { parser?: unknown; keys?: unknown };
      if (data.parser === parserVersion() && Array.isArray(data.keys)) {
        return new Set(data.keys.filter((k): k is string => typeof k === 'string'));
      }
    } catch {
      // Start empty; save() writes a good file.
    }
    return new Set();
  }

  private key(text: string, form: SqlForm): string {
    return createHash('sha256').update(`${form}\0${text}`).digest('base64url');
  }

  has(text: string, form: SqlForm): boolean {
    return this.keys.has(this.key(text, form));
  }

  add(text: string, form: SqlForm): void {
    const key = this.key(text, form);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.changed = true;
  }

  // Written whole to a temporary file and renamed over the old one, so readers never see half.
  async save(): Promise<void> {
    if (!this.changed) return;
    const keys = [...this.keys].slice(-maxKeys);
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ parser: parserVersion(), keys })}\n`);
    await rename(temporary, this.file);
    this.changed = false;
  }
}
