import type { CompiledCondition, ConditionResult } from './types.js';
import type { JSONSchemaType } from 'ajv';
import { UNKNOWN } from './measure.js';

/** `active: true` — a run is in progress right now (`false`: none is). */
export const name = 'active';
export const description = 'Whether a run is in progress right now (true) or not (false).';
export const schema: JSONSchemaType<boolean> = { type: 'boolean' };
export const example = 'when: { all: [ { active: true }, { runtime: "> 30m" } ] }';
export const scopes = ['session'] as const;

/** Compiles the boolean; without a session (aggregate scope) it never matches. */
export function compile(value: boolean): CompiledCondition {
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
