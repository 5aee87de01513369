import type { CompiledCondition, ConditionResult } from './types.js';
import { PolicyValueError } from '../domain/problem.js';
import { UNKNOWN } from './measure.js';

/** `active: true` — a run is in progress right now (`false`: none is). */
export const name = 'active';
export const description = 'Whether a run is in progress right now (true) or not (false).';
export const schema = { type: 'boolean' } as const;
export const example = 'when: { all: [ { active: true }, { runtime: "> 30m" } ] }';
export const scopes = ['session'] as const;

/** Compiles the boolean; without a session (aggregate scope) it never matches. */
export function compile(value: unknown): CompiledCondition {
  if (typeof value !== 'boolean') throw new PolicyValueError('E_ACTIVE', `found ${JSON.stringify(value)}: expected true or false`, [], ['true', 'false']);
  const measure = (active: boolean): ConditionResult => ({
    matched: active === value,
    measurements: [{ metric: 'active', value: active ? 1 : 0, op: 'is', threshold: value ? 1 : 0, text: active ? 'active' : 'not active' }],
  });
  return {
    usesUsage: false,
    holds: (context) => context.session !== undefined && context.session.active === value,
    evaluate: (context) => (context.session === undefined ? UNKNOWN : measure(context.session.active)),
    budget: () => 0,
  };
}
