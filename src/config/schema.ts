import type { PolicyOrigin, Policy } from '../policy/types.js';
import type { PolicyProblem } from '../domain/problem.js';
import type { ActionName } from '../domain/action.js';
import type { SourceModule } from '../sources/source.js';
import type { NotifierModule } from '../notifiers/types.js';
import { guardSchema } from './settings.js';

/** The policy language as config loading needs it: its schema, and its compiler (which checks each policy against it). */
export interface PolicyLanguage {
  schema(): object;
  compile(
    raw: unknown,
    origin: PolicyOrigin,
    context: { readonly notifiers: readonly string[]; readonly capabilities: ReadonlySet<ActionName> },
  ): { readonly policy?: Policy; readonly problems: readonly PolicyProblem[] };
}

/** Every plugin family the config is assembled from; passed in, never global. */
export interface Registries {
  readonly sources: readonly SourceModule[];
  readonly notifiers: readonly NotifierModule[];
  readonly policy: PolicyLanguage;
}

/** Log levels pino knows. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The JSON schema of the main config file, assembled from the registries: each source module's schema
 * applies under `sources[]` of its `type`, each notifier module's under `notifiers.<name>` of its `type`.
 * Policies are only shaped here (string globs or maps); each policy map is checked against `policySchema()` on its own,
 * because policies also come from other files.
 */
export function configSchema(registries: Registries): object {
  const stringList = { type: 'array', items: { type: 'string' } };
  return {
    type: 'object',
    additionalProperties: false,
    required: ['sources'],
    properties: {
      sources: {
        type: 'array',
        minItems: 1,
        items: pluginEntry(registries.sources, ['name', 'type'], {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'a name of letters, digits, ".", "_" or "-"' },
        }),
      },
      mode: { enum: ['enforce', 'dry-run'] },
      schedule: { type: 'string' },
      stateDir: { type: 'string', minLength: 1 },
      http: {
        type: 'object',
        additionalProperties: false,
        properties: {
          listen: { type: 'string' },
          token: { type: 'string' },
          corsOrigins: stringList,
          maxConnections: { type: 'integer', minimum: 1, maximum: 100_000, description: 'open sockets at most (default 256); more are refused at accept' },
          maxEventStreams: { type: 'integer', minimum: 0, maximum: 10_000, description: 'live event streams (console tabs) at most (default 32); more get 503' },
          requestTimeoutMs: { type: 'integer', minimum: 100, maximum: 600_000, description: 'a client must send its whole request within this (default 10000)' },
        },
      },
      safety: {
        type: 'object',
        additionalProperties: false,
        properties: { maxActionsPerSweep: { type: ['integer', 'string', 'array'] }, protect: stringList },
      },
      notifiers: {
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
        additionalProperties: pluginEntry(registries.notifiers, ['type'], {}),
      },
      policies: {
        if: { type: 'string' },
        then: { type: 'string', minLength: 1 },
        else: {
          type: 'array',
          items: { if: { type: 'string' }, then: { type: 'string', minLength: 1 }, else: { type: 'object' } },
        },
      },
      metrics: {
        type: 'object',
        additionalProperties: false,
        properties: { topSessions: { type: 'integer', minimum: 0 } },
      },
      journal: {
        type: 'object',
        additionalProperties: false,
        properties: { maxBytes: { type: 'integer', minimum: 1024 }, keep: { type: 'integer', minimum: 0 } },
      },
      history: {
        type: 'object',
        additionalProperties: false,
        properties: {
          retention: { type: 'string', pattern: '^\\s*([0-9]+(\\.[0-9]+)?(ms|s|m|h|d|w)\\s*)+$', description: 'a duration like "35d", "2w" or "720h" (how long recorded calls are kept)' },
        },
      },
      logLevel: { enum: [...LOG_LEVELS] },
      guard: guardSchema(),
    },
  };
}

/** `{ type: <module>, …module options }`: the module's own schema applies once `type` names it. */
function pluginEntry(modules: readonly { name: string; schema: object }[], required: string[], extra: Record<string, object>): object {
  const names = modules.map((m) => m.name);
  return {
    type: 'object',
    required,
    properties: { ...extra, type: { enum: names } },
    allOf: modules.map((module) => ({
      if: { properties: { type: { const: module.name } }, required: ['type'] },
      then: withEntryKeys(module.schema, Object.keys({ ...extra, type: true })),
    })),
  };
}

/** The module's schema describes its options; the entry also carries `name`/`type`, which it must not reject. */
function withEntryKeys(schema: object, keys: readonly string[]): object {
  const s = schema as { properties?: Record<string, unknown> };
  return { ...schema, properties: { ...Object.fromEntries(keys.map((k) => [k, true])), ...(s.properties ?? {}) } };
}
