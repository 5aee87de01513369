import { totalTokens } from '../domain/session.js';
import type { CompiledCondition } from './types.js';
import { thresholdCondition, thresholdSchema, usageOf, type ThresholdValue } from './measure.js';

/** `tokens.total: "> 200k"` — All tokens: input + output + cache read + cache write, per session or summed over an agent/fleet window. */
export const name = 'tokens.total';
export const description = 'All tokens (input + output + cache read + cache write): the session total, or the window sum in agent/fleet scope.';
export const schema = thresholdSchema('comparison with a token count, e.g. "> 200k"');
export const example = 'when: { tokens.total: "> 200k" }';
export const scopes = ['session', 'agent', 'fleet'] as const;

/** Compiles the threshold; unknown usage never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  return thresholdCondition(name, value, 'count', true, (context) => {
    const u = usageOf(context);
    return u === undefined ? undefined : totalTokens(u);
  });
}
