import { isAbsolute, resolve } from 'node:path';
import type { Policy } from '../policy/types.js';
import type { ActionName } from '../domain/action.js';
import type { Config, NotifierConfig, SourceConfig } from './types.js';
import { sweepInterval } from './cron.js';
import type { ConfigError, ConfigErrorCode } from './errors.js';
import type { FileWork } from './file-io.js';
import { MAX_REPORTED_ERRORS } from './limits.js';
import { finishErrors } from './outcome.js';
import type { Registries } from './schema.js';
import { configValidator } from './validators.js';
import { formatPath, schemaProblems } from '../schema/problems.js';
import type { Problem } from '../domain/problem.js';
import { pathKey, resolveSecrets, withSecrets } from './secret-refs.js';
import { Secret } from '../domain/secret.js';
import { parseDuration } from '../domain/units.js';
import { collectPolicies, configDir } from './policy-files.js';
import { compilePolicies } from './policy-set.js';
import { checkSettings } from './settings-check.js';
import { DEFAULTS, defaultStateDir, parseActionLimits } from './settings.js';
import { YamlFile, type Segment } from './yaml-file.js';
import { guardWarnings, readGuardConfig } from './settings.js';

/** The main config file's text and where it came from. */
export interface ConfigText {
  /** Absolute path, or `<demo>`. */
  readonly path: string;
  /** As shown in messages. */
  readonly shown: string;
  readonly text: string;
}

/** Outcome of loading: a config when there were no errors, every error found, and warnings that do not stop it loading. */
export interface LoadResult {
  readonly config?: Config;
  readonly errors: readonly ConfigError[];
  readonly warnings?: readonly ConfigError[];
}

/** What loading reads besides the files: the working directory, the environment, and whether to read secrets at all. */
export interface ReadContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** `false`: check secret references for shape only (`validate --no-secrets`); the config's Secrets cannot be revealed. */
  readonly resolveSecrets?: boolean;
}

type Raw = Record<string, unknown>;

/**
 * Parses, resolves, validates and compiles one main config file (and the policy files it names), collecting every error:
 * sorted, escaped, with code frames. Reading files is yielded to the runner (sync or async).
 */
export function* readConfig(input: ConfigText, registries: Registries, context: ReadContext): FileWork<LoadResult> {
  const files = new Map<string, YamlFile>();
  const file = new YamlFile(input.shown, input.text);
  files.set(file.file, file);
  const result = yield* readParsed(file, input, registries, context, files);
  const errors = finishErrors(result.errors, files, result.incomplete === true);
  const warnings = finishErrors(result.warnings ?? [], files);
  if (errors.length > 0 || !result.config) return { errors, warnings };
  return { config: result.config, errors: [], warnings };
}

/** ajv errors looked at, at most: ten times what is listed. */
const NARROWED_SCHEMA_ERRORS = 10 * MAX_REPORTED_ERRORS;

function* readParsed(file: YamlFile, input: ConfigText, registries: Registries, context: ReadContext, files: Map<string, YamlFile>): FileWork<LoadResult & { incomplete?: boolean }> {
  const loaded = file.load();
  if ('errors' in loaded) return { errors: loaded.errors };
  const data = loaded.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { errors: [{ code: 'SCHEMA', file: file.file, line: 1, column: 1, path: '', message: 'the config file must be a map of settings (sources, policies, …)' }] };
  }
  const raw = data as Raw;
  const errors: ConfigError[] = [];
  const report = (code: ConfigErrorCode, path: readonly Segment[], message: string, extra: Partial<ConfigError> = {}, target: 'value' | 'key' = 'value'): void => {
    const pos = file.position(path, target);
    errors.push({ code, file: file.file, line: pos.line, column: pos.column, path: labelPath(raw, path), message, ...extra });
  };
  const baseDir = configDir(input.path, context.cwd);

  // Secrets may only sit where plugins take them; everything else is plain settings.
  const secretContext = { env: context.env, baseDir, ...(context.resolveSecrets === false ? { resolve: false } : {}) };
  const secrets = new Map<string, Secret>();
  const failed = new Set<string>();
  const plain: Raw = { ...raw };
  const resolveAt = function* (value: unknown, at: Segment[]): FileWork<unknown> {
    const result = yield* resolveSecrets(value, at, secretContext);
    for (const [k, v] of result.secrets) secrets.set(k, v);
    for (const k of result.failed) failed.add(k);
    for (const p of result.problems) report(p.code, p.path, p.message);
    return result.plain;
  };
  const rawSources = raw['sources'];
  if (Array.isArray(rawSources)) {
    const resolved: unknown[] = [];
    for (let i = 0; i < rawSources.length; i++) resolved.push(yield* resolveAt(rawSources[i], ['sources', i]));
    plain['sources'] = resolved;
  }
  const rawNotifiers = raw['notifiers'];
  if (isMap(rawNotifiers)) {
    const resolved: [string, unknown][] = [];
    for (const [n, v] of Object.entries(rawNotifiers)) resolved.push([n, yield* resolveAt(v, ['notifiers', n])]);
    plain['notifiers'] = Object.fromEntries(resolved);
  }
  const rawHttp = raw['http'];
  if (isMap(rawHttp)) plain['http'] = { ...rawHttp, ...('token' in rawHttp ? { token: yield* resolveAt(rawHttp['token'], ['http', 'token']) } : {}) };
  const rawGuard = raw['guard'];
  if (isMap(rawGuard)) plain['guard'] = { ...rawGuard, ...('token' in rawGuard ? { token: yield* resolveAt(rawGuard['token'], ['guard', 'token']) } : {}) };
  for (const [key, secret] of secrets) {
    const parts = key.split('\u0000');
    const entryKey = parts.length === 3 ? parts[2] : undefined;
    if ((parts[0] === 'sources' && (entryKey === 'name' || entryKey === 'type')) || (parts[0] === 'notifiers' && entryKey === 'type')) {
      report(
        'SECRET_NOT_ALLOWED',
        parts.map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
        `a secret reference (${secret.origin}) cannot be used for "${entryKey}"`,
      );
    }
  }
  reportStraySecretRefs(raw, report);
  const httpToken = isMap(raw['http']) ? raw['http']['token'] : undefined;
  if (typeof httpToken === 'string' && !httpToken.includes('${env:')) {
    report('SECRET_NOT_ALLOWED', ['http', 'token'], 'the API token must not be written in the file: use ${env:NAME} or { file: /path }');
  }
  const guardToken = isMap(raw['guard']) ? raw['guard']['token'] : undefined;
  if (typeof guardToken === 'string' && !guardToken.includes('${env:'))
    report('SECRET_NOT_ALLOWED', ['guard', 'token'], 'the guard token must not be written in the file: use ${env:NAME} or { file: /path }');

  let incomplete = false;
  const validate = configValidator(registries);
  if (!validate(plain)) {
    // A file of thousands of wrong entries is not narrowed in full: the first ones are what gets shown anyway.
    const all = validate.errors ?? [];
    if (all.length > NARROWED_SCHEMA_ERRORS) incomplete = true;
    const problems = schemaProblems(all.slice(0, NARROWED_SCHEMA_ERRORS), { isSecret: (p) => secrets.has(pathKey(p)) || failed.has(pathKey(p)) });
    for (const problem of problems) {
      if (failed.has(pathKey(problem.path))) continue;
      report(problem.code, problem.path, problem.message, extras(problem), problem.target ?? 'value');
    }
  }
  checkSettings(plain, report);

  const sourceTypes = new Map(registries.sources.map((m) => [m.name, m]));
  const sourceEntries = (Array.isArray(plain['sources']) ? plain['sources'] : []).filter(isMap);
  const capabilities = new Set<ActionName>(sourceEntries.flatMap((s) => sourceTypes.get(String(s['type']))?.capabilities ?? []));
  const notifierNames = isMap(plain['notifiers']) ? Object.keys(plain['notifiers']) : [];
  let policies: Policy[] = [];
  const warnings: ConfigError[] = [];
  const policiesValue = raw['policies'];
  if (policiesValue === undefined || typeof policiesValue === 'string' || Array.isArray(policiesValue)) {
    const collected = yield* collectPolicies(file, policiesValue, { cwd: context.cwd, baseDir, files });
    errors.push(...collected.errors);
    const schedule = typeof plain['schedule'] === 'string' ? plain['schedule'] : DEFAULTS.schedule;
    const sweep = sweepInterval(schedule);
    const compiled = compilePolicies(collected.policies, { language: registries.policy, notifiers: notifierNames, capabilities, ...(sweep ? { sweep } : {}) });
    errors.push(...compiled.errors);
    warnings.push(...compiled.warnings);
    policies = compiled.policies;
  }

  if (errors.length > 0) return { errors, warnings, ...(incomplete ? { incomplete } : {}) };
  const guard = readGuardConfig(plain['guard'], secrets.get(pathKey(['guard', 'token'])));
  const config: Config = {
    file: input.path,
    sources: sourceEntries.map((entry, i): SourceConfig => {
      const { name, type, ...options } = withSecrets(entry, ['sources', i], secrets) as Raw;
      return Object.freeze({ name: String(name), type: String(type), options: Object.freeze(options) });
    }),
    mode: (plain['mode'] as Config['mode'] | undefined) ?? DEFAULTS.mode,
    schedule: (plain['schedule'] as string | undefined) ?? DEFAULTS.schedule,
    stateDir: stateDir(plain['stateDir'], baseDir, context),
    http: Object.freeze({
      listen: ((plain['http'] as Raw | undefined)?.['listen'] as string | undefined) ?? DEFAULTS.listen,
      ...(secrets.has(pathKey(['http', 'token'])) ? { token: secrets.get(pathKey(['http', 'token']))! } : {}),
      corsOrigins: Object.freeze([...(((plain['http'] as Raw | undefined)?.['corsOrigins'] as string[] | undefined) ?? [])]),
      ...httpLimits(plain['http'] as Raw | undefined),
    }),
    safety: Object.freeze({
      maxActionsPerSweep: Object.freeze(parseActionLimits((plain['safety'] as Raw | undefined)?.['maxActionsPerSweep'] ?? DEFAULTS.maxActionsPerSweep) as Config['safety']['maxActionsPerSweep']),
      protect: Object.freeze([...(((plain['safety'] as Raw | undefined)?.['protect'] as string[] | undefined) ?? [])]),
    }),
    notifiers: Object.entries((plain['notifiers'] as Raw | undefined) ?? {}).map(([name, entry]): NotifierConfig => {
      const { type, ...options } = withSecrets(entry, ['notifiers', name], secrets) as Raw;
      return Object.freeze({ name, type: String(type), options: Object.freeze(options) });
    }),
    policies,
    metrics: Object.freeze({ topSessions: ((plain['metrics'] as Raw | undefined)?.['topSessions'] as number | undefined) ?? DEFAULTS.topSessions }),
    journal: Object.freeze({
      maxBytes: ((plain['journal'] as Raw | undefined)?.['maxBytes'] as number | undefined) ?? DEFAULTS.journalMaxBytes,
      keep: ((plain['journal'] as Raw | undefined)?.['keep'] as number | undefined) ?? DEFAULTS.journalKeep,
    }),
    history: Object.freeze({ retentionMs: parseDuration(((plain['history'] as Raw | undefined)?.['retention'] as string | undefined) ?? DEFAULTS.historyRetention) }),
    logLevel: (plain['logLevel'] as string | undefined) ?? DEFAULTS.logLevel,
    ...(guard ? { guard } : {}),
  };
  warnings.push(...guardWarnings(config.policies, config.sources, config.guard, { file: file.file }));
  return { config: Object.freeze(config), errors: [], warnings };
}

/** `sources[0] "home" › token` for named sources; `http.listen` otherwise. */
function labelPath(raw: Raw, path: readonly Segment[]): string {
  const [head, index, ...rest] = path;
  const sources = raw['sources'];
  if (head === 'sources' && typeof index === 'number' && Array.isArray(sources)) {
    const name = isMap(sources[index]) ? sources[index]['name'] : undefined;
    if (typeof name === 'string') return rest.length > 0 ? `sources[${index}] "${name}" › ${formatPath(rest)}` : `sources[${index}] "${name}"`;
  }
  return formatPath(path);
}

function stateDir(value: unknown, baseDir: string, context: { cwd: string; env: NodeJS.ProcessEnv }): string {
  if (typeof value === 'string') return isAbsolute(value) ? value : resolve(baseDir, value);
  return resolve(context.cwd, defaultStateDir(context.env));
}

/** `${env:…}` in settings that are not secrets would silently become literal text; say so instead. */
function reportStraySecretRefs(raw: Raw, report: (code: ConfigErrorCode, path: readonly Segment[], message: string) => void): void {
  const walk = (node: unknown, at: Segment[]): void => {
    if (typeof node === 'string' && node.includes('${env:')) {
      report('SECRET_NOT_ALLOWED', at, 'secret references are only read in sources, notifiers, http.token and guard.token');
    } else if (Array.isArray(node)) node.forEach((n, i) => walk(n, [...at, i]));
    else if (isMap(node)) for (const [k, v] of Object.entries(node)) walk(v, [...at, k]);
  };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'sources' || key === 'notifiers' || key === 'policies') continue;
    if (key === 'http' && isMap(value)) {
      for (const [k, v] of Object.entries(value)) if (k !== 'token') walk(v, ['http', k]);
      continue;
    }
    if (key === 'guard' && isMap(value)) {
      for (const [k, v] of Object.entries(value)) if (k !== 'token') walk(v, ['guard', k]);
      continue;
    }
    walk(value, [key]);
  }
}

function extras(problem: Problem): Partial<ConfigError> {
  return { ...(problem.allowed ? { allowed: problem.allowed } : {}), ...(problem.suggestion !== undefined ? { suggestion: problem.suggestion } : {}) };
}

function isMap(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `http.maxConnections`, `maxEventStreams`, `requestTimeoutMs` where given (the server has the defaults). */
function httpLimits(http: Raw | undefined): { maxConnections?: number; maxEventStreams?: number; requestTimeoutMs?: number } {
  const out: { maxConnections?: number; maxEventStreams?: number; requestTimeoutMs?: number } = {};
  for (const key of ['maxConnections', 'maxEventStreams', 'requestTimeoutMs'] as const) {
    const value = http?.[key];
    if (typeof value === 'number') out[key] = value;
  }
  return out;
}
