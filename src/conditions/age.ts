import type { CompiledCondition } from './types.js';
import { thresholdCondition, thresholdSchema, type ThresholdValue } from './measure.js';

/** `age: "> 7d"` — time since the session started. */
export const name = 'age';
export const description = 'Time since the session started.';
export const schema = thresholdSchema('comparison with a duration, e.g. "> 7d"');
export const example = 'when: { age: "> 7d" }';
export const scopes = ['session'] as const;

/** Compiles the threshold; a session without a start time never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  return thresholdCondition(name, value, 'duration', false, (context) => {
    const startedAt = context.session?.startedAt;
    return startedAt === undefined ? undefined : Math.max(0, context.now - startedAt);
  });
}
