import type { Policy } from '../policy/types.js';
import type { ConfigError } from './errors.js';
import type { Secret } from '../domain/secret.js';
import type { ActionLimit, GuardConfig, SourceConfig } from './types.js';

/** Defaults of every optional top-level setting; config.example.yaml documents the same values. */
export const DEFAULTS = {
  mode: 'enforce',
  schedule: '* * * * *',
  /** Used when `$STATE_DIRECTORY` (systemd StateDirectory=) is unset; relative to the working directory. */
  stateDir: '.clawwarden',
  listen: '127.0.0.1:9464',
  /** Open sockets on the HTTP server; more are refused at accept. */
  httpMaxConnections: 256,
  /** Concurrent event streams (console tabs); more are answered 503 with Retry-After. */
  httpMaxEventStreams: 32,
  /** A socket must deliver a whole request within this, or it is answered 408 and closed. */
  httpRequestTimeoutMs: 10_000,
  maxActionsPerSweep: 20,
  topSessions: 50,
  journalMaxBytes: 10 * 1024 * 1024,
  journalKeep: 5,
  /** How long the per-call history (`stateDir/history`, read by `replay --from state`) keeps calls: a little past the 30 days a replay looks back. */
  historyRetention: '35d',
  logLevel: 'info',
} as const;

/** Splits `host:port` (IPv6 as `[::1]:9464`); a reason string when malformed. */
export function parseListen(listen: string): { host: string; port: number } | string {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen);
  if (!match) return `"${listen}" is not host:port (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464)`;
  const port = Number(match[2]);
  if (port > 65535) return `port ${port} is out of range 0–65535`;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** `20`, `"10%"`, or a list of both (every limit applies); a reason string when malformed. */
export function parseActionLimits(value: unknown): ActionLimit[] | string {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return 'expected at least one limit';
  const limits: ActionLimit[] = [];
  for (const item of items) {
    if (typeof item === 'number' && Number.isInteger(item) && item >= 0) {
      limits.push({ count: item });
      continue;
    }
    const match = typeof item === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(item) : null;
    if (match && Number(match[1]) <= 100) {
      limits.push({ percent: Number(match[1]) });
      continue;
    }
    return `${JSON.stringify(item)} is not a limit: expected a count of actions (e.g. 20) or a percentage of the sessions (e.g. "10%")`;
  }
  return limits;
}

/** The state directory when the config does not set one: systemd's `$STATE_DIRECTORY` (first entry), else `.clawwarden`. */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const fromSystemd = env['STATE_DIRECTORY']?.split(':')[0];
  return fromSystemd ? fromSystemd : DEFAULTS.stateDir;
}

/** Defaults of the `guard:` block. */
export const GUARD_DEFAULTS = {
  listen: '127.0.0.1:9465',
  failMode: 'open' as GuardConfig['failMode'],
} as const;

/** JSON schema of the `guard:` block (the token is a secret reference, resolved before validation). */
export function guardSchema(): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['token'],
    properties: {
      listen: { type: 'string', description: 'host:port the guards connect to, e.g. 127.0.0.1:9465' },
      token: { type: 'string', minLength: 16, description: 'bearer token of the guard channel: ${env:NAME} or { file: /path }, at least 16 characters' },
      failMode: { enum: ['open', 'closed'] },
      sources: { type: 'array', items: { type: 'string' }, minItems: 1 },
    },
  };
}

/** Builds the block from the validated plain config; undefined when the config has none. */
export function readGuardConfig(plain: unknown, token: Secret | undefined): GuardConfig | undefined {
  if (plain === null || typeof plain !== 'object' || !token) return undefined;
  const g = plain as { listen?: unknown; failMode?: unknown; sources?: unknown };
  return Object.freeze({
    listen: typeof g.listen === 'string' ? g.listen : GUARD_DEFAULTS.listen,
    token,
    failMode: g.failMode === 'closed' ? 'closed' : GUARD_DEFAULTS.failMode,
    ...(Array.isArray(g.sources) ? { sources: Object.freeze(g.sources.map(String)) } : {}),
  });
}

/** The openclaw sources a guard is expected on. */
export function guardedSources(sources: readonly SourceConfig[], guard: GuardConfig | undefined): string[] {
  if (!guard) return [];
  const openclaw = sources.filter((s) => s.type === 'openclaw').map((s) => s.name);
  return guard.sources ? openclaw.filter((n) => guard.sources!.includes(n)) : openclaw;
}

/**
 * Warnings about the `guard:` block and `hard: true` policies: a hard cap is held at the tool boundary only where a guard
 * runs; elsewhere it falls back to the external stop, which lands after the call that crossed it.
 */
export function guardWarnings(policies: readonly Policy[], sources: readonly SourceConfig[], guard: GuardConfig | undefined, where: { file: string }): ConfigError[] {
  const warnings: ConfigError[] = [];
  const openclaw = sources.filter((s) => s.type === 'openclaw').map((s) => s.name);
  for (const name of guard?.sources ?? []) {
    if (!openclaw.includes(name)) {
      warnings.push({
        code: 'UNKNOWN_VALUE',
        file: where.file,
        line: 1,
        column: 1,
        path: 'guard.sources',
        message: `"${name}" is not an openclaw source of this config (openclaw sources: ${openclaw.join(', ') || 'none'})`,
        severity: 'warning',
      });
    }
  }
  const guarded = guardedSources(sources, guard);
  const unguarded = openclaw.filter((n) => !guarded.includes(n));
  for (const p of policies) {
    if (!p.hard || unguarded.length === 0) continue;
    const why = guard ? `source(s) ${unguarded.join(', ')} are not in guard.sources` : 'there is no guard: block (no in-gateway guard)';
    warnings.push({
      code: 'POLICY',
      file: p.origin.file,
      line: p.origin.line,
      column: p.origin.column,
      path: `${p.origin.path} "${p.name}" › hard`,
      message: `hard: true is held at the tool boundary only by the in-gateway guard, and ${why}: there this cap falls back to the external stop, which lands after the call that crossed it. Install the guard: clawwarden openclaw install-guard`,
      severity: 'warning',
    });
  }
  return warnings;
}
