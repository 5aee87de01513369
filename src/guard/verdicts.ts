import picomatch from 'picomatch';
import type { Hold, Mode } from '../domain/decision.js';
import { formatQuantity } from '../domain/units.js';
import { cacheTokens, totalTokens, type Session } from '../domain/session.js';
import type { SessionUsageView } from '../ledger/types.js';
import { capOf, enforcingAction, type Cap } from '../policy/cap.js';
import type { Policy } from '../policy/types.js';
import type { WireCap, WireRule, WireUsage, WireVerdict } from './protocol.js';

/** A session-scope token or cost cap of an enforcing policy, as guards hold it. */
export interface CapPolicy {
  readonly policy: Policy;
  readonly cap: Cap;
  readonly wire: WireCap;
}

/** A run that must end: a stop (or the start of a kill or pause) decided for the session at `at`. */
export interface StopMark {
  readonly at: number;
  readonly generation: string;
  readonly reason: string;
  readonly policy?: string;
  readonly by: string;
}

/** A guard's own finding the daemon keeps until the generation changes (a hard cap it held). */
export interface GuardMark {
  readonly generation?: string;
  readonly reason: string;
  readonly policy?: string;
  readonly at: number;
}

/** Everything one verdict is computed from. */
export interface VerdictInput {
  readonly session: Session;
  readonly usage?: SessionUsageView;
  readonly hold?: Hold;
  readonly stop?: StopMark;
  readonly guardMark?: GuardMark;
  readonly caps: readonly CapPolicy[];
  readonly isProtected: (key: string) => boolean;
}

/** Caps of the session-scope policies that enforce (stop, kill or pause) in `mode`; the guards hold these. */
export function capPolicies(policies: readonly Policy[], mode: Mode): CapPolicy[] {
  const out: CapPolicy[] = [];
  for (const policy of policies) {
    if (policy.scope !== 'session' || (policy.mode ?? mode) !== 'enforce') continue;
    const cap = capOf(policy.raw['when']);
    const action = enforcingAction(policy.actions);
    if (typeof cap === 'string' || !action) continue;
    out.push({ policy, cap, wire: { policy: policy.name, metric: cap.metric, limit: cap.limit, inclusive: cap.inclusive, hard: policy.hard === true, action } });
  }
  return out;
}

/** `tokens.total 40,000` / `cost $25.00`. */
export function capText(cap: Cap, value: number): string {
  return `${cap.metric} ${formatQuantity(value, cap.metric === 'cost' ? 'money' : 'count')}`;
}

function metric(cap: Cap, u: WireUsage): number {
  switch (cap.metric) {
    case 'tokens.total':
      return totalTokens(u);
    case 'tokens.input':
      return u.input;
    case 'tokens.output':
      return u.output;
    case 'tokens.cache':
      return cacheTokens(u);
    case 'cost':
      return u.cost;
  }
}

const violates = (cap: Cap, value: number): boolean => (cap.inclusive ? value >= cap.limit : value > cap.limit);

const RESUME = (key: string): string => `Resume it with: clawwarden sessions resume ${key} (or the Resume button in the clawwarden console).`;

/** The daemon's word on one session for its guard (see WireVerdict). */
export function verdictFor(input: VerdictInput): WireVerdict {
  const { session, usage, hold, stop, guardMark } = input;
  const caps = input.caps.filter((c) => c.policy.matches(session) && (!input.isProtected(session.key) || (c.wire.action === 'stop' && c.policy.allowProtected))).map((c) => c.wire);
  const totals = usage ? { input: usage.totals.input, output: usage.totals.output, cacheRead: usage.totals.cacheRead, cacheWrite: usage.totals.cacheWrite, cost: usage.totals.cost } : undefined;
  const counted = {
    generation: session.generation,
    ...(totals ? { usage: totals } : {}),
    ...(usage?.lastUsageAt !== undefined ? { through: usage.lastUsageAt } : usage?.lastCallAt !== undefined ? { through: usage.lastCallAt } : {}),
    caps,
  };
  if (hold) {
    const killed = hold.reason.startsWith('kill:');
    const state = killed ? 'killed' : hold.kind === 'hold' ? 'held' : 'paused';
    const until = hold.until !== undefined ? ` It resumes by itself at ${new Date(hold.until).toISOString()}, when the budget window of policy ${hold.policy ?? hold.by} resets.` : '';
    return {
      key: session.key,
      state,
      since: hold.at,
      reason: hold.reason.replace(/^(pause|kill): /, ''),
      ...(hold.policy ? { policy: hold.policy } : {}),
      by: hold.by,
      resume: `${RESUME(session.key)}${until}`,
      ...counted,
    };
  }
  if (guardMark && (guardMark.generation === undefined || guardMark.generation === session.generation)) {
    return { key: session.key, state: 'over-cap', since: guardMark.at, reason: guardMark.reason, ...(guardMark.policy ? { policy: guardMark.policy } : {}), by: 'guard', ...counted };
  }
  if (totals) {
    for (const c of input.caps) {
      if (!c.wire.hard || !caps.includes(c.wire)) continue;
      const value = metric(c.cap, totals);
      if (violates(c.cap, value)) {
        return {
          key: session.key,
          state: 'over-cap',
          since: usage?.lastUsageAt ?? 0,
          reason: `${capText(c.cap, value)} ${c.cap.inclusive ? '>=' : '>'} ${formatQuantity(c.cap.limit, c.cap.metric === 'cost' ? 'money' : 'count')} (policy ${c.policy.name}, hard)`,
          policy: c.policy.name,
          by: 'policy',
          resume: `Raise the cap in policy ${c.policy.name} or reset the session to continue.`,
          ...counted,
        };
      }
    }
  }
  if (stop && stop.generation === session.generation) {
    return { key: session.key, state: 'stopped', since: stop.at, reason: stop.reason, ...(stop.policy ? { policy: stop.policy } : {}), by: stop.by, ...counted };
  }
  return { key: session.key, state: 'allowed', since: session.startedAt ?? 0, ...counted };
}

/** A cheap identity of a verdict's content, to push only what changed. */
export function verdictSignature(v: WireVerdict): string {
  const u = v.usage;
  return `${v.state}|${v.since}|${v.generation ?? ''}|${v.reason ?? ''}|${u ? `${u.input},${u.output},${u.cacheRead},${u.cacheWrite},${u.cost}` : ''}|${v.through ?? ''}|${v.caps.map((c) => `${c.policy}:${c.limit}:${c.hard}`).join(',')}`;
}

const MATCHABLE = new Set(['agent', 'key', 'exclude']);

/**
 * Caps for sessions the daemon has not told a guard about yet (a run that started a moment ago, a hidden background
 * run): each cap policy whose `match` says only `agent` and `key` becomes a rule of RegExp sources a guard can test.
 * Policies matching on model, provider, channel or kind are left to the daemon's verdicts.
 */
export function rulesOf(caps: readonly CapPolicy[], protect: readonly string[]): WireRule[] {
  const rules: WireRule[] = [];
  for (const c of caps) {
    const match = (c.policy.raw['match'] ?? {}) as Record<string, unknown>;
    const exclude = (match['exclude'] ?? {}) as Record<string, unknown>;
    if (Object.keys(match).some((k) => !MATCHABLE.has(k)) || Object.keys(exclude).some((k) => k !== 'agent' && k !== 'key')) continue;
    const protectedKeys = c.wire.action === 'stop' && c.policy.allowProtected ? [] : protect;
    const keys = sources(match['key']);
    const agents = sources(match['agent']);
    const excludeKeys = [...sources(exclude['key']), ...sources(protectedKeys)];
    const excludeAgents = sources(exclude['agent']);
    rules.push({
      cap: c.wire,
      ...(keys.length > 0 ? { keys } : {}),
      ...(agents.length > 0 ? { agents } : {}),
      ...(excludeKeys.length > 0 ? { excludeKeys } : {}),
      ...(excludeAgents.length > 0 ? { excludeAgents } : {}),
    });
  }
  return rules;
}

function sources(globs: unknown): string[] {
  const list = typeof globs === 'string' ? [globs] : Array.isArray(globs) ? globs.filter((g): g is string => typeof g === 'string') : [];
  // The same options as policy matching (src/policy/match.ts), so a guard matches exactly what the daemon does.
  return list.map((g) => picomatch.makeRe(g, { dot: true, strictBrackets: true }).source);
}
