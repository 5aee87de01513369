import { cacheTokens } from '../domain/session.js';
import type { CompiledCondition } from './types.js';
import { thresholdCondition, thresholdSchema, usageOf, type ThresholdValue } from './measure.js';

/** `tokens.cache: "> 1M"` — Cache tokens: cache read + cache write, per session or summed over an agent/fleet window. */
export const name = 'tokens.cache';
export const description = 'Cache tokens (read + write): the session total, or the sum over the budget window in agent/fleet scope.';
export const schema = thresholdSchema('comparison with a token count, e.g. "> 1M"');
export const example = 'when: { tokens.cache: "> 1M" }';
export const scopes = ['session', 'agent', 'fleet'] as const;

/** Compiles the threshold; unknown usage never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  return thresholdCondition(name, value, 'count', true, (context) => {
    const u = usageOf(context);
    return u === undefined ? undefined : cacheTokens(u);
  });
}
