import { Composer, LineCounter, Lexer, Parser, YAMLParseError, isMap, isScalar, isSeq, parseDocument, visit, type CST, type Document, type Node, type YAMLMap } from 'yaml';
import type { ConfigError } from './errors.js';
import { MAX_YAML_ALIASES, MAX_YAML_DEPTH } from './limits.js';
import { rootSyntaxError } from './yaml-syntax.js';

/** One step into a YAML tree: a map key or a sequence index. */
export type Segment = string | number;

/** A position, 1-based. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A parsed YAML file that can say where any path inside it was written. Parsing never throws and never nests deeper than MAX_YAML_DEPTH. */
export class YamlFile {
  readonly #lines = new LineCounter();
  // Keys of each map, indexed on first lookup: a file with thousands of unknown keys is located key by key.
  readonly #pairs = new WeakMap<object, Map<string, { key: unknown; value: unknown }>>();
  readonly document: Document.Parsed;
  readonly #problem: ConfigError | undefined;

  /** `file` is the display name used in messages. */
  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    const parsed = parseGuarded(text, this.#lines);
    if ('depthAt' in parsed) {
      this.document = parseDocument('');
      this.#problem = this.#error(parsed.depthAt, 'YAML_LIMIT', `collections nest deeper than ${MAX_YAML_DEPTH} levels, the limit for config and policy files`);
      return;
    }
    this.document = parsed.document;
    if (parsed.document.errors.length > 0) {
      const root = rootSyntaxError(parsed.document.errors, text, parsed.cst);
      this.#problem = this.#error(root.offset, 'YAML_SYNTAX', root.message);
      return;
    }
    const duplicate = duplicateKey(parsed.document);
    if (duplicate) {
      const first = this.at(duplicate.first);
      this.#problem = this.#error(duplicate.offset, 'YAML_SYNTAX', `${duplicate.message} (first at line ${first.line}, column ${first.column}): a map holds each key once`);
    }
  }

  /**
   * The file as plain data, or its one error: the first YAML syntax error (later ones usually follow from it), or the
   * parser limit it exceeds (nesting depth, alias expansion).
   */
  load(): { readonly data: unknown } | { readonly errors: ConfigError[] } {
    if (this.#problem) return { errors: [this.#problem] };
    try {
      return { data: this.document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
    } catch (error) {
      // toJS throws a ReferenceError for an alias bomb, or for an alias used before (or without) its anchor.
      const text = (error as Error).message;
      if (/resource exhaustion/.test(text)) {
        const alias = firstAlias(this.document);
        const message = `aliases (*${alias?.source ?? 'name'}) expand to more than ${MAX_YAML_ALIASES} copies, the limit for config and policy files; write the values out`;
        return { errors: [this.#error(alias?.range?.[0] ?? 0, 'YAML_LIMIT', message)] };
      }
      const name = /: ([^:\s]+)$/.exec(text)?.[1];
      const alias = firstAlias(this.document, name);
      const message = name !== undefined ? `alias *${name} has no anchor &${name} before it` : text;
      return { errors: [this.#error(alias?.range?.[0] ?? 0, 'YAML_SYNTAX', message)] };
    }
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
    return this.at(found.node?.range?.[0] ?? 0);
  }

  /** The 1-based line and column of an offset into the text. */
  at(offset: number): Position {
    const pos = this.#lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  #error(offset: number, code: 'YAML_SYNTAX' | 'YAML_LIMIT', message: string): ConfigError {
    return { code, file: this.file, ...this.at(offset), path: '', message };
  }

  #walk(path: readonly Segment[], target: 'value' | 'key' = 'value'): { node: Node | undefined; rest: number } {
    let node: Node | undefined = (this.document.contents as Node | null) ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = this.#pairOf(node, String(segment));
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

  #pairOf(map: YAMLMap, key: string): { key: unknown; value: unknown } | undefined {
    let index = this.#pairs.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        const name = keyText(pair.key);
        if (!index.has(name)) index.set(name, pair);
      }
      this.#pairs.set(map, index);
    }
    return index.get(key);
  }
}

/**
 * parseDocument, but the concrete syntax tree is built token by token and abandoned as soon as it nests deeper than
 * MAX_YAML_DEPTH: composing a deeper tree recurses once per level, and ten thousand `[` exhaust the stack fatally.
 */
function parseGuarded(text: string, lines: LineCounter): { document: Document.Parsed; cst: CST.Token[] } | { depthAt: number } {
  const parser = new Parser(lines.addNewLine);
  // Parser.parse() records the first line itself; driving next() by hand must do it.
  lines.addNewLine(0);
  const cst: CST.Token[] = [];
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) cst.push(token);
    // The stack holds the document and every open collection (plus at most a scalar being read).
    if (parser.stack.length > MAX_YAML_DEPTH + 2) return { depthAt: parser.offset };
  }
  for (const token of parser.end()) cst.push(token);
  let document: Document.Parsed | undefined;
  for (const next of new Composer({ uniqueKeys: false }).compose(cst, true, text.length)) {
    if (!document) document = next;
    else {
      document.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'a config or policy file holds one YAML document; remove the "---" and what follows, or merge it'));
      break;
    }
  }
  // compose(…, forceDoc) always yields a document.
  return { document: document!, cst };
}

/** The first alias in the document (named `name`, when given). */
function firstAlias(document: Document.Parsed, name?: string): { source: string; range?: readonly number[] | null } | undefined {
  let found: { source: string; range?: readonly number[] | null } | undefined;
  visit(document, {
    Alias(_, node) {
      if (name !== undefined && node.source !== name) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** A key written twice in one map, at the second one. yaml's own `uniqueKeys` check compares every pair with every other. */
function duplicateKey(document: Document.Parsed): { offset: number; first: number; message: string } | undefined {
  let found: { offset: number; first: number; message: string } | undefined;
  visit(document, {
    Map(_, map) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = keyText(pair.key);
        const first = seen.get(name);
        if (first !== undefined) {
          found = { offset: pair.key.range?.[0] ?? 0, first, message: `duplicate key "${name}"` };
          return visit.BREAK;
        }
        seen.set(name, pair.key.range?.[0] ?? 0);
      }
      return undefined;
    },
  });
  return found;
}
