import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type { ConfigError } from './errors.js';
import { YamlFile, type Segment } from './yaml-file.js';

/** One policy as written, before validation: its data and where it sits. */
export interface WrittenPolicy {
  readonly raw: unknown;
  readonly file: YamlFile;
  /** Path of the policy inside its file. */
  readonly base: readonly Segment[];
  /** `policies[2]`, or `policy` for a file holding a single policy map. */
  readonly label: string;
}

/** How paths are shown and resolved. */
export interface FileContext {
  readonly cwd: string;
  /** Globs resolve against this (the main config file's directory). */
  readonly baseDir: string;
}

/** Shows a path relative to the working directory when it lies inside it. */
export function displayName(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : file;
}

/** A reason the glob is malformed (unbalanced brackets or braces), or undefined when it is fine. */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'empty pattern';
  try {
    picomatch(glob, { strictBrackets: true });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/ - use .*$/, '');
  }
}

/**
 * The policies of `policies:` in the main file: inline maps and glob strings, in the order written.
 * Files matched by several globs are read once. A glob that matches no file is an error (a typo would
 * otherwise silently disable every policy in it).
 */
export function collectPolicies(config: YamlFile, value: unknown, context: FileContext): { policies: WrittenPolicy[]; errors: ConfigError[] } {
  const policies: WrittenPolicy[] = [];
  const errors: ConfigError[] = [];
  const read = new Set<string>();
  const entries: unknown[] = value === undefined ? [] : Array.isArray(value) ? value : [value];
  entries.forEach((entry, index) => {
    const at: Segment[] = Array.isArray(value) ? ['policies', index] : ['policies'];
    // Anything but a map or a string is a schema error already reported for the config.
    if (entry === null || typeof entry !== 'object' && typeof entry !== 'string') return;
    if (typeof entry !== 'string') {
      policies.push({ raw: entry, file: config, base: at, label: `policies[${index}]` });
      return;
    }
    const error = (message: string): void => {
      const pos = config.position(at);
      errors.push({ code: 'POLICY_FILES', file: config.file, line: pos.line, column: pos.column, path: at.length > 1 ? `policies[${index}]` : 'policies', message });
    };
    const problem = globProblem(entry);
    if (problem) {
      const pos = config.position(at);
      errors.push({ code: 'BAD_GLOB', file: config.file, line: pos.line, column: pos.column, path: at.length > 1 ? `policies[${index}]` : 'policies', message: `bad glob "${entry}": ${problem}` });
      return;
    }
    const files = expandGlob(entry, context.baseDir);
    if (files.length === 0) {
      error(`no policy file matches "${entry}" (relative to ${context.baseDir})`);
      return;
    }
    for (const path of files) {
      if (read.has(path)) continue;
      read.add(path);
      const loaded = readPolicyFile(path, context.cwd);
      policies.push(...loaded.policies);
      errors.push(...loaded.errors);
    }
  });
  return { policies, errors };
}

/** Reads one policy file: a list of policies, a map with `policies:`, or a single policy map. */
export function readPolicyFile(path: string, cwd: string): { policies: WrittenPolicy[]; errors: ConfigError[] } {
  const shown = displayName(path, cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { policies: [], errors: [{ code: 'FILE_UNREADABLE', file: shown, line: 0, column: 0, path: '', message: `cannot read policy file (${reason})` }] };
  }
  const file = new YamlFile(shown, text);
  const syntax = file.syntaxErrors();
  if (syntax.length > 0) return { policies: [], errors: syntax };
  const data = file.data();
  const list = (items: unknown[], base: Segment[]): WrittenPolicy[] =>
    items.map((raw, i) => ({ raw, file, base: [...base, i], label: `policies[${i}]` }));
  if (Array.isArray(data)) return { policies: list(data, []), errors: [] };
  if (data !== null && typeof data === 'object') {
    const policies = (data as { policies?: unknown }).policies;
    if (Array.isArray(policies) && Object.keys(data).length === 1) return { policies: list(policies, ['policies']), errors: [] };
    return { policies: [{ raw: data, file, base: [], label: 'policy' }], errors: [] };
  }
  return {
    policies: [],
    errors: [{ code: 'SCHEMA', file: shown, line: 1, column: 1, path: '', message: 'a policy file must hold a policy map, a list of policies, or a map with a "policies:" list' }],
  };
}

/** Files matching `pattern` (relative to `baseDir` unless absolute), sorted. A pattern without glob characters names one file. */
export function expandGlob(pattern: string, baseDir: string): string[] {
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) {
    const file = resolve(baseDir, pattern);
    return isFile(file) ? [file] : [];
  }
  const root = resolve(baseDir, scan.base || '.');
  const matches = picomatch(scan.glob, { dot: false });
  const depth = scan.isGlobstar ? Infinity : scan.glob.split('/').length;
  const found: string[] = [];
  const walk = (dir: string, level: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const full = join(dir, name);
      const rel = relative(root, full).split(sep).join('/');
      if (isFile(full)) {
        if (matches(rel)) found.push(full);
      } else if (level < depth && isDirectory(full)) {
        walk(full, level + 1);
      }
    }
  };
  walk(root, 1);
  return found.sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The directory relative paths in a config file resolve against. */
export function configDir(file: string, cwd: string): string {
  return file.startsWith('<') ? cwd : dirname(file);
}
