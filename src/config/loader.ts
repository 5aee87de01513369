import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigError } from './errors.js';
import { displayName } from './policy-files.js';
import { readConfig, type LoadResult } from './read.js';
import type { Registries } from './schema.js';

/** Where to load from. Without `file`, `./clawwarden.yaml` then `/etc/clawwarden/config.yaml` are tried. */
export interface LoadOptions {
  readonly file?: string;
  /** Load the embedded demo config instead of a file (shown as `<demo>`). */
  readonly demo?: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The embedded demo config's text (required with `demo`). */
  readonly demoText?: string;
  /** Files tried, in order, when `file` is not given. */
  readonly searchPath?: readonly string[];
}

/** The files tried when no `--config` is given. */
export const DEFAULT_CONFIG_FILES: readonly string[] = ['clawwarden.yaml', '/etc/clawwarden/config.yaml'];

/** Loads, validates and compiles the config against the given plugin registries; `config` is set only when there are no errors, and `errors` lists them all. */
export function loadConfigWith(registries: Registries, options: LoadOptions): LoadResult {
  const context = { cwd: options.cwd, env: options.env };
  if (options.demo) return readConfig({ path: '<demo>', shown: '<demo>', text: options.demoText ?? '' }, registries, context);
  const candidates = options.file !== undefined ? [options.file] : (options.searchPath ?? DEFAULT_CONFIG_FILES);
  const path = candidates.map((c) => resolve(options.cwd, c)).find(exists);
  if (path === undefined) return { errors: [notFound(options, candidates)] };
  const shown = displayName(path, options.cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { errors: [{ code: 'FILE_UNREADABLE', file: shown, line: 0, column: 0, path: '', message: `cannot read config file (${reason})` }] };
  }
  return readConfig({ path, shown, text }, registries, context);
}

function notFound(options: LoadOptions, candidates: readonly string[]): ConfigError {
  if (options.file !== undefined) {
    return { code: 'CONFIG_NOT_FOUND', file: options.file, line: 0, column: 0, path: '', message: 'config file not found' };
  }
  return {
    code: 'CONFIG_NOT_FOUND',
    file: candidates[0] ?? 'clawwarden.yaml',
    line: 0,
    column: 0,
    path: '',
    message: `no config file found (looked for ${candidates.join(', ')}); pass --config FILE, or try --demo`,
  };
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
