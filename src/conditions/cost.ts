import type { CompiledCondition } from './types.js';
import { thresholdCondition, thresholdSchema, usageOf, type ThresholdValue } from './measure.js';

/** `cost: "> $25"` — USD spent by the session, or over the budget window in agent/fleet scope. */
export const name = 'cost';
export const description = 'Cost in USD: the session total, or the sum over the budget window in agent/fleet scope.';
export const schema = thresholdSchema('comparison with a dollar amount, e.g. "> $25"');
export const example = 'when: { cost: "> $25" }';
export const scopes = ['session', 'agent', 'fleet'] as const;

/** Compiles the threshold (a `$` amount is required); unknown usage never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  return thresholdCondition(name, value, 'money', true, (context) => usageOf(context)?.cost);
}
