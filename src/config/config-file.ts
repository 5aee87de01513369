import { resolve } from 'node:path';
import { escapedError, type ConfigError } from './errors.js';
import { describeReadProblem, kindOf, readText, runAsync, runSync, type FileWork } from './file-io.js';
import { MAX_CONFIG_BYTES } from './limits.js';
import { asyncFiles, syncFiles } from './node-files.js';
import { displayName } from './policy-files.js';
import { readConfig, type LoadResult } from './interpret.js';
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
  /** `false` (`validate --no-secrets`): check secret references for shape, read none; the Secrets of the result cannot be revealed. */
  readonly resolveSecrets?: boolean;
}

/** The files tried when no `--config` is given. */
export const DEFAULT_CONFIG_FILES: readonly string[] = ['clawwarden.yaml', '/etc/clawwarden/config.yaml'];

/**
 * Loads, validates and compiles the config against the given plugin registries; `config` is set only when there are no
 * errors, and `errors` lists them all. Synchronous, for one-shot commands: files are still size-capped and must be regular
 * files, but a read cannot be timed out. A daemon should use loadConfigWithAsync.
 */
export function loadConfigWith(registries: Registries, options: LoadOptions): LoadResult {
  return runSync(loadWork(registries, options), syncFiles);
}

/** loadConfigWith without holding the event loop on a file: every read is async and given up after FILE_READ_TIMEOUT_MS. */
export function loadConfigWithAsync(registries: Registries, options: LoadOptions): Promise<LoadResult> {
  return runAsync(loadWork(registries, options), asyncFiles);
}

function* loadWork(registries: Registries, options: LoadOptions): FileWork<LoadResult> {
  const context = { cwd: options.cwd, env: options.env, ...(options.resolveSecrets === false ? { resolveSecrets: false } : {}) };
  if (options.demo) return yield* readConfig({ path: '<demo>', shown: '<demo>', text: options.demoText ?? '' }, registries, context);
  const explicit = options.file !== undefined;
  const candidates = explicit ? [options.file] : (options.searchPath ?? DEFAULT_CONFIG_FILES);
  let path: string | undefined;
  for (const candidate of candidates) {
    const full = resolve(options.cwd, candidate);
    const kind = yield* kindOf(full);
    // A file named on the command line is read whatever it is, so a FIFO or device gets its own message.
    if (kind === 'file' || (explicit && kind !== 'missing')) {
      path = full;
      break;
    }
  }
  if (path === undefined) return { errors: [escapedError(notFound(options, candidates))] };
  const shown = displayName(path, options.cwd);
  const read = yield* readText(path, MAX_CONFIG_BYTES);
  if ('problem' in read) {
    const code = read.problem.reason === 'too-large' ? 'FILE_TOO_LARGE' : 'FILE_UNREADABLE';
    return { errors: [escapedError({ code, file: shown, line: 0, column: 0, path: '', message: describeReadProblem('config file', read.problem) })] };
  }
  return yield* readConfig({ path, shown, text: read.text }, registries, context);
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
