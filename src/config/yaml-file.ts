import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigError } from './errors.js';

/** One step into a YAML tree: a map key or a sequence index. */
export type Segment = string | number;

/** A position, 1-based. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A parsed YAML file that can say where any path inside it was written. */
export class YamlFile {
  readonly #lines = new LineCounter();
  readonly document: Document.Parsed;

  /** `file` is the display name used in messages. */
  constructor(
    readonly file: string,
    text: string,
  ) {
    this.document = parseDocument(text, { lineCounter: this.#lines, prettyErrors: true, uniqueKeys: true });
  }

  /** Every YAML syntax error of the file (all of them, not the first). */
  syntaxErrors(): ConfigError[] {
    return this.document.errors.map((e) => {
      const at = e.linePos?.[0] ?? this.#lines.linePos(e.pos[0]);
      // yaml's message repeats the position and a code excerpt after the first line; the excerpt is noise here.
      const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return { code: 'YAML_SYNTAX', file: this.file, line: at.line, column: at.col, path: '', message };
    });
  }

  /** The file as plain data. */
  data(): unknown {
    return this.document.toJS({ maxAliasCount: 100 });
  }

  /** The YAML node at `path`, or undefined. */
  node(path: readonly Segment[]): Node | undefined {
    const found = this.#walk(path);
    return found.rest === 0 ? found.node : undefined;
  }

  /**
   * Where `path` was written. With `key`, the position of the map key of the last segment (for unknown keys).
   * A path that goes deeper than the file does (a missing key) resolves to its deepest existing ancestor.
   */
  position(path: readonly Segment[], target: 'value' | 'key' = 'value'): Position {
    const found = this.#walk(path, target);
    const offset = found.node?.range?.[0] ?? 0;
    const at = this.#lines.linePos(offset);
    return { line: at.line, column: at.col };
  }

  #walk(path: readonly Segment[], target: 'value' | 'key' = 'value'): { node: Node | undefined; rest: number } {
    let node: Node | undefined = (this.document.contents as Node | null) ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = pairOf(node, String(segment));
        if (!pair) return { node, rest: path.length - i };
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        // `key:` with no value has no value node; point at the key.
        node = (last && target === 'key') || !value ? (key ?? node) : value;
        if (!value && !last) return { node, rest: path.length - i - 1 };
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item) return { node, rest: path.length - i };
        node = item;
      } else {
        return { node, rest: path.length - i };
      }
    }
    return { node, rest: 0 };
  }
}

function pairOf(map: unknown, key: string): { key: unknown; value: unknown } | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === key);
}
