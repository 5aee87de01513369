import type { CompiledCondition } from './types.js';
import { thresholdCondition, thresholdSchema, usageOf, type ThresholdValue } from './measure.js';

/** `tokens.output: "> 20k"` — Output (completion) tokens, per session or summed over an agent/fleet window. */
export const name = 'tokens.output';
export const description = 'Output (completion) tokens: the session total, or the sum over the budget window in agent/fleet scope.';
export const schema = thresholdSchema('comparison with a token count, e.g. "> 20k"');
export const example = 'when: { tokens.output: "> 20k" }';
export const scopes = ['session', 'agent', 'fleet'] as const;

/** Compiles the threshold; unknown usage never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  return thresholdCondition(name, value, 'count', true, (context) => {
    const u = usageOf(context);
    return u === undefined ? undefined : u.output;
  });
}
