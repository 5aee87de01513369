import type { ConfigError } from '../config/errors.js';
import type { Secret } from '../config/secret.js';
import type { SourceConfig } from '../config/types.js';
import type { Policy } from '../policy/types.js';
import type { FailMode } from './protocol.js';

/** The `guard:` block: where the daemon's guard channel listens, its token, and what guards do without a verdict. */
export interface GuardConfig {
  /** `host:port` of the guard listener. */
  readonly listen: string;
  readonly token: Secret;
  readonly failMode: FailMode;
  /** Names of the openclaw sources that have a guard installed; all openclaw sources when unset. */
  readonly sources?: readonly string[];
}

/** Defaults of the `guard:` block. */
export const GUARD_DEFAULTS = {
  listen: '127.0.0.1:9465',
  failMode: 'open' as FailMode,
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
      warnings.push({ code: 'UNKNOWN_VALUE', file: where.file, line: 1, column: 1, path: 'guard.sources', message: `"${name}" is not an openclaw source of this config (openclaw sources: ${openclaw.join(', ') || 'none'})`, severity: 'warning' });
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
