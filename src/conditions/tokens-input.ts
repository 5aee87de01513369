import type { CompiledCondition } from './types.js';
import { thresholdCondition, thresholdSchema, usageOf, type ThresholdValue } from './measure.js';

/** `tokens.input: "> 50k"` — Input (prompt) tokens, per session or summed over an agent/fleet window. */
export const name = 'tokens.input';
export const description = 'Input (prompt) tokens: the session total, or the sum over the budget window in agent/fleet scope.';
export const schema = thresholdSchema('comparison with a token count, e.g. "> 50k"');
export const example = 'when: { tokens.input: "> 50k" }';
export const scopes = ['session', 'agent', 'fleet'] as const;

/** Compiles the threshold; unknown usage never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  return thresholdCondition(name, value, 'count', true, (context) => {
    const u = usageOf(context);
    return u === undefined ? undefined : u.input;
  });
}
