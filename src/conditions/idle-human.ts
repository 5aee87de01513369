import type { CompiledCondition, ConditionResult } from './types.js';
import { thresholdCondition, thresholdSchema, type ThresholdValue } from './measure.js';

/**
 * `idle.human: "> 3d"` — time since a person last wrote to the session. Heartbeat polls, cron wakes, exec
 * completions and system events are not human input, so a session they keep busy can be human-idle for weeks
 * while `idle` stays near zero. A run in progress does not reset it: a heartbeat run is not a person.
 */
export const name = 'idle.human';
export const description =
  'Time since the last human input (a user or channel message), not counting heartbeat polls, cron wakes or system events; unknown (never matches) when the source cannot tell.';
export const schema = thresholdSchema('comparison with a duration, e.g. "> 3d"');
export const example = 'when: { idle.human: "> 3d" }';
export const scopes = ['session'] as const;

/** Why the measure is missing, for explain: the policy never acts on a guess. */
export const UNKNOWN_REASON = 'no human input is known for this session: the source has not reported when a person last wrote to it';
const UNKNOWN_HUMAN: ConditionResult = Object.freeze({ matched: false, unknown: true, reason: UNKNOWN_REASON, measurements: Object.freeze([]) });

/** Compiles the threshold; a session whose last human input is not known never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  const compiled = thresholdCondition(name, value, 'duration', false, (context) => {
    const last = context.session?.lastHumanAt;
    return last === undefined ? undefined : Math.max(0, context.now - last);
  });
  return {
    ...compiled,
    evaluate(context) {
      const result = compiled.evaluate(context);
      return result.unknown && context.session !== undefined ? UNKNOWN_HUMAN : result;
    },
  };
}
