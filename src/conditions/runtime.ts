import type { CompiledCondition } from './types.js';
import { thresholdCondition, thresholdSchema, type ThresholdValue } from './measure.js';

/** `runtime: "> 30m"` — how long the current run has been going (0 when no run is active). */
export const name = 'runtime';
export const description = 'How long the current run has been going; 0 when the session has no active run.';
export const schema = thresholdSchema('comparison with a duration, e.g. "> 30m"');
export const example = 'when: { runtime: "> 30m" }';
export const scopes = ['session'] as const;

/** Compiles the threshold; an active run without a start time never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  return thresholdCondition(name, value, 'duration', false, (context) => {
    const session = context.session;
    if (session === undefined) return undefined;
    if (!session.active) return 0;
    return session.runStartedAt === undefined ? undefined : Math.max(0, context.now - session.runStartedAt);
  });
}
