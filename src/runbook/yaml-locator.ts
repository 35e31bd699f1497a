import { createRequire } from 'node:module';
import type { Document, LineCounter, Node, Pair, YAMLMap } from 'yaml';

// yaml is loaded (its CommonJS build, synchronously) only when a position is asked for.
const require = createRequire(import.meta.url);
function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

export type YamlPath = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  col: number;
}

// Turns paths into the YAML document (from zod issues, from the loader's own checks) and
// offsets inside scalars (SQL statements) into 1-based line:col of the runbook source.
// The document with positions is parsed only when a position is first asked for: a runbook that
// loads without a problem never needs one, and this parser is several times slower than the
// one load-runbook.ts reads values with.
export class YamlLocator {
  private parsed?: { doc: Document; lineCounter: LineCounter };
  // Each map's pairs by key, built when a path first passes through it: a file of thousands of
  // keys, each with a message, is located in linear time.
  private readonly pairsByKey = new WeakMap<YAMLMap, Map<unknown, Pair>>();

  constructor(
    private readonly source: string,
    parsed?: { doc: Document; lineCounter: LineCounter },
  ) {
    this.parsed = parsed;
  }

  private get doc(): Document {
    return this.withPositions().doc;
  }

  private get lineCounter(): LineCounter {
    return this.withPositions().lineCounter;
  }

  private withPositions(): { doc: Document; lineCounter: LineCounter } {
    if (!this.parsed) {
      const { LineCounter: Counter, parseDocument } = yaml();
      const lineCounter = new Counter();
      // uniqueKeys compares each key with every other (quadratic): the loader checks them already.
      this.parsed = { doc: parseDocument(this.source, { lineCounter, uniqueKeys: false }), lineCounter };
    }
    return this.parsed;
  }

  // For a source already known to parse (a loaded runbook).
  static fromSource(source: string): YamlLocator {
    return new YamlLocator(source);
  }

  offsetPosition(offset: number): Position {
    return this.lineCounter.linePos(Math.max(0, Math.min(offset, this.source.length)));
  }

  // The node at `path`, or its deepest existing ancestor (a missing key points at its map).
  private walk(path: YamlPath): { node: Node | null; key: Node | null } {
    const { isMap, isScalar, isSeq } = yaml();
    let node = (this.doc.contents as Node | null) ?? null;
    let key: Node | null = null;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = this.pairsOf(node).get(segment);
        if (!pair) break;
        key = isScalar(pair.key) ? pair.key : null;
        node = (pair.value as Node | null) ?? key;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        node = node.items[segment] as Node;
        key = null;
      } else {
        break;
      }
    }
    return { node, key };
  }

  private pairsOf(map: YAMLMap): Map<unknown, Pair> {
    let pairs = this.pairsByKey.get(map);
    if (!pairs) {
      const { isScalar } = yaml();
      pairs = new Map();
      for (const p of map.items) {
        const key = isScalar(p.key) ? p.key.value : p.key;
        if (!pairs.has(key)) pairs.set(key, p as Pair);
      }
      this.pairsByKey.set(map, pairs);
    }
    return pairs;
  }

  position(path: YamlPath, part: 'value' | 'key' = 'value'): Position {
    const { node, key } = this.walk(path);
    const target = part === 'key' && key ? key : node;
    return this.offsetPosition(target?.range?.[0] ?? 0);
  }

  // Where character `index` of the string scalar at `path` is written in the source.
  scalarPosition(path: YamlPath, index: number): Position {
    const { isScalar, Scalar } = yaml();
    const node = this.walk(path).node;
    if (!isScalar(node) || !node.range || typeof node.value !== 'string') return this.position(path);
    const [start, end] = node.range;
    const value = node.value;
    const written = this.source.slice(start, end);
    if (node.type === Scalar.BLOCK_LITERAL) return this.literalPosition(start, value, index);
    if (!written.includes('\n')) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      return this.offsetPosition(start + (quoted ? 1 : 0) + index);
    }
    // Folded or multi-line flow scalars: find the written text of the line holding `index`.
    const lineEnd = value.indexOf('\n', index);
    const needle = value.slice(index, lineEnd === -1 ? undefined : lineEnd).trim();
    const found = needle ? written.indexOf(needle) : -1;
    return this.offsetPosition(found === -1 ? start : start + found);
  }

  // In a `|` block each value line is one source line, its indentation removed.
  private literalPosition(start: number, value: string, index: number): Position {
    const header = this.offsetPosition(start);
    const before = value.slice(0, index);
    const valueLine = before.split('\n').length - 1;
    const column = index - (before.lastIndexOf('\n') + 1);
    const firstContent = this.lineCounter.lineStarts[header.line] ?? this.source.length;
    const contentLines = this.source.slice(firstContent).split('\n');
    const indented = contentLines.find((l) => l.trim().length > 0) ?? '';
    const indent = indented.length - indented.trimStart().length;
    return { line: header.line + 1 + valueLine, col: indent + column + 1 };
  }
}
