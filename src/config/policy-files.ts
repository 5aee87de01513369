import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type { ConfigError } from './errors.js';
import { describeReadProblem, kindOf, listDir, readText, type FileWork } from './file-io.js';
import { MAX_POLICY_FILE_BYTES } from './limits.js';
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
  /** Every YAML file read is added here by display name, for code frames. */
  readonly files?: Map<string, YamlFile>;
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
export function* collectPolicies(config: YamlFile, value: unknown, context: FileContext): FileWork<{ policies: WrittenPolicy[]; errors: ConfigError[] }> {
  const policies: WrittenPolicy[] = [];
  const errors: ConfigError[] = [];
  const read = new Set<string>();
  const entries: unknown[] = value === undefined ? [] : Array.isArray(value) ? value : [value];
  for (const [index, entry] of entries.entries()) {
    const at: Segment[] = Array.isArray(value) ? ['policies', index] : ['policies'];
    // Anything but a map or a string is a schema error already reported for the config.
    if (entry === null || (typeof entry !== 'object' && typeof entry !== 'string')) continue;
    if (typeof entry !== 'string') {
      policies.push({ raw: entry, file: config, base: at, label: `policies[${index}]` });
      continue;
    }
    const error = (message: string): void => {
      const pos = config.position(at);
      errors.push({ code: 'POLICY_FILES', file: config.file, line: pos.line, column: pos.column, path: at.length > 1 ? `policies[${index}]` : 'policies', message });
    };
    const problem = globProblem(entry);
    if (problem) {
      const pos = config.position(at);
      errors.push({ code: 'BAD_GLOB', file: config.file, line: pos.line, column: pos.column, path: at.length > 1 ? `policies[${index}]` : 'policies', message: `bad glob "${entry}": ${problem}` });
      continue;
    }
    const files = yield* expandGlob(entry, context.baseDir);
    if (files.length === 0) {
      error(`no policy file matches "${entry}" (relative to ${context.baseDir})`);
      continue;
    }
    for (const path of files) {
      if (read.has(path)) continue;
      read.add(path);
      const loaded = yield* readPolicyFile(path, context);
      policies.push(...loaded.policies);
      errors.push(...loaded.errors);
    }
  }
  return { policies, errors };
}

/** Reads one policy file (a regular file of at most MAX_POLICY_FILE_BYTES): a list of policies, a map with `policies:`, or a single policy map. */
export function* readPolicyFile(path: string, context: Pick<FileContext, 'cwd' | 'files'>): FileWork<{ policies: WrittenPolicy[]; errors: ConfigError[] }> {
  const shown = displayName(path, context.cwd);
  const read = yield* readText(path, MAX_POLICY_FILE_BYTES);
  if ('problem' in read) {
    const code = read.problem.reason === 'too-large' ? 'FILE_TOO_LARGE' : 'FILE_UNREADABLE';
    return { policies: [], errors: [{ code, file: shown, line: 0, column: 0, path: '', message: describeReadProblem('policy file', read.problem) }] };
  }
  const file = new YamlFile(shown, read.text);
  context.files?.set(shown, file);
  const loaded = file.load();
  if ('errors' in loaded) return { policies: [], errors: loaded.errors };
  const data = loaded.data;
  const list = (items: unknown[], base: Segment[]): WrittenPolicy[] => items.map((raw, i) => ({ raw, file, base: [...base, i], label: `policies[${i}]` }));
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

/**
 * Files matching `pattern` (relative to `baseDir` unless absolute), sorted. A pattern without glob characters names
 * one file. Anything but a directory counts as a file here: reading it then says what is wrong with a FIFO or a device.
 */
export function* expandGlob(pattern: string, baseDir: string): FileWork<string[]> {
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) {
    const file = resolve(baseDir, pattern);
    const kind = yield* kindOf(file);
    return kind === 'missing' || kind === 'directory' ? [] : [file];
  }
  const root = resolve(baseDir, scan.base || '.');
  const matches = picomatch(scan.glob, { dot: false });
  const depth = scan.isGlobstar ? Infinity : scan.glob.split('/').length;
  const found: string[] = [];
  const walk = function* (dir: string, level: number): FileWork<void> {
    for (const name of yield* listDir(dir)) {
      const full = join(dir, name);
      const rel = relative(root, full).split(sep).join('/');
      const kind = yield* kindOf(full);
      if (kind === 'directory') {
        if (level < depth) yield* walk(full, level + 1);
      } else if (kind !== 'missing' && matches(rel)) {
        found.push(full);
      }
    }
  };
  yield* walk(root, 1);
  return found.sort();
}

/** The directory relative paths in a config file resolve against. */
export function configDir(file: string, cwd: string): string {
  return file.startsWith('<') ? cwd : dirname(file);
}
