import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import type { ConfigError } from '../config/errors.js';
import { builtinRegistries, loadConfig } from '../config/index.js';
import { loadConfigWith, type LoadOptions } from '../config/config-file.js';
import type { Config } from '../config/types.js';
import type { TestFile } from './format.js';

/** The source fixture sessions belong to when a test file names policies only. */
export const FIXTURE_SOURCE = { name: 'home', type: 'openclaw' } as const;

/**
 * The config a test file is about: its `config:` file loaded as the daemon would (secrets checked for shape only, so
 * tests need no credentials), or a config made around its `policies:` files — one source of every capability, a
 * webhook notifier for each name the policies notify, and the file's `safety` and `mode`.
 */
export function loadTarget(test: TestFile, context: { cwd: string; env: NodeJS.ProcessEnv }): { config?: Config; errors: readonly ConfigError[] } {
  const base = dirname(test.path);
  if ('config' in test.target) {
    // `resolveSecrets: false` (a later loader option) keeps a test from needing the config's credentials.
    const options = { file: resolve(base, test.target.config), cwd: context.cwd, env: context.env, resolveSecrets: false };
    const result = loadConfig(options);
    if (result.errors.length > 0 && result.errors.every((e) => e.code === 'CONFIG_NOT_FOUND')) {
      const at = test.keyLine('config');
      return {
        errors: [
          {
            code: 'CONFIG_NOT_FOUND',
            file: test.file,
            line: at.line,
            column: at.column,
            path: 'config',
            message: `config file ${test.target.config} not found (relative to ${displayDir(base, context.cwd)})`,
          },
        ],
      };
    }
    return result;
  }
  const files = test.target.policies.flatMap((pattern) => expand(pattern, base));
  const missing = test.target.policies.find((pattern) => expand(pattern, base).length === 0);
  if (missing !== undefined) {
    const at = test.keyLine('policies');
    return {
      errors: [
        { code: 'POLICY_FILES', file: test.file, line: at.line, column: at.column, path: 'policies', message: `no policy file matches "${missing}" (relative to ${displayDir(base, context.cwd)})` },
      ],
    };
  }
  const notifiers = new Set<string>();
  for (const file of files) collectNotifiers(readYaml(file), notifiers);
  const source = test.source ?? FIXTURE_SOURCE;
  const text = [
    `sources: [ ${JSON.stringify({ name: source.name, type: source.type })} ]`,
    `mode: ${JSON.stringify(test.mode === 'observe' ? 'dry-run' : (test.mode ?? 'enforce'))}`,
    ...(test.safety !== undefined ? [`safety: ${JSON.stringify(test.safety)}`] : []),
    ...(notifiers.size > 0 ? [`notifiers: ${JSON.stringify(Object.fromEntries([...notifiers].sort().map((n) => [n, { type: 'webhook', url: 'http://127.0.0.1:9/policy-test' }])))}`] : []),
    `policies: ${JSON.stringify(files)}`,
    '',
  ].join('\n');
  // The made-up config is read as embedded text (the loader's `<demo>` path); errors from it belong to the test file's keys.
  const options: LoadOptions = { demo: true, demoText: text, cwd: context.cwd, env: context.env };
  const result = loadConfigWith(builtinRegistries(), options);
  const errors = result.errors.map((e) => (e.file === '<demo>' ? relocate(e, test) : e));
  return { ...(result.config ? { config: result.config } : {}), errors };
}

function relocate(error: ConfigError, test: TestFile): ConfigError {
  const key = /^(safety|mode|sources)/.exec(error.path)?.[1] ?? 'policies';
  const at = test.keyLine(key === 'sources' ? 'source' : key);
  const { frame: _, ...rest } = error as ConfigError & { frame?: string };
  return { ...rest, file: test.file, line: at.line, column: at.column };
}

function displayDir(dir: string, cwd: string): string {
  const rel = relative(cwd, dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
}

/** Files matching a pattern relative to `base` (a plain path, or a glob), sorted. */
export function expand(pattern: string, base: string): string[] {
  const full = isAbsolute(pattern) ? pattern : resolve(base, pattern);
  const scan = picomatch.scan(full);
  if (!scan.isGlob) return isFile(full) ? [full] : [];
  const match = picomatch(full, { dot: false });
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (isFile(path)) {
        if (match(path)) out.push(path);
      } else if (depth < 8 && name !== 'node_modules' && !name.startsWith('.') && isDir(path)) walk(path, depth + 1);
    }
  };
  walk(scan.base || '/', 0);
  return out.sort();
}

function readYaml(path: string): unknown {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch {
    // A file that does not parse is reported by the config loader with its position.
    return undefined;
  }
}

/** Names in `notify: x` / `notify: [x, y]` anywhere in a policy file. */
function collectNotifiers(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectNotifiers(item, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'notify') {
      if (typeof value === 'string') into.add(value);
      else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') into.add(v);
    } else collectNotifiers(value, into);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
