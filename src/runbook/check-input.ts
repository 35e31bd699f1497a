import { dirname, join } from 'node:path';
import type { Diagnostic } from './loaded-runbook.js';
import type { BodySite, SqlSite } from './runbook-bodies.js';
import type { Runbook } from './schema.js';
import type { YamlLocator, YamlPath } from './yaml-locator.js';

// What the loader's checks and the lint rules work on, and how they place a diagnostic.
export class CheckInput {
  constructor(
    readonly runbook: Runbook,
    readonly locator: YamlLocator,
    // The runbook path as the operator gave it.
    readonly file: string,
    // Referenced sql files by their path as written; absent when they could not be read.
    readonly files: Record<string, string>,
    readonly bodies: BodySite[],
  ) {}

  at(path: YamlPath, message: string, rule: string, part: 'value' | 'key' = 'value'): Diagnostic {
    return { file: this.file, ...this.locator.position(path, part), message, severity: 'error', rule };
  }

  inScalar(path: YamlPath, index: number, message: string, rule: string): Diagnostic {
    return { file: this.file, ...this.locator.scalarPosition(path, index), message, severity: 'error', rule };
  }

  // A sql file's path as the operator would open it: next to the runbook.
  sqlFilePath(file: string): string {
    return join(dirname(this.file), file);
  }

  inFile(file: string, index: number, message: string, rule: string): Diagnostic {
    const before = (this.files[file] ?? '').slice(0, index);
    const line = before.split('\n').length;
    const col = index - (before.lastIndexOf('\n') + 1) + 1;
    return { file: this.sqlFilePath(file), line, col, message, severity: 'error', rule };
  }

  // The SQL of a site: inline text or the file's content (undefined when the file is missing).
  textOf(site: SqlSite): string | undefined {
    return site.file !== undefined ? this.files[site.file] : site.text;
  }

  // A diagnostic at character `index` of a site's SQL, in the runbook or in its sql file.
  inSql(site: SqlSite, index: number, message: string, rule: string): Diagnostic {
    return site.file !== undefined
      ? this.inFile(site.file, index, message, rule)
      : this.inScalar(site.path, index, message, rule);
  }

  lineOf(path: YamlPath): number {
    return this.locator.position(path).line;
  }
}
