import type { CompiledCondition } from './types.js';
import { thresholdCondition, thresholdSchema, type ThresholdValue } from './measure.js';

/** `idle: "> 24h"` — time since the session's last model call or message. */
export const name = 'idle';
export const description = 'Time since the session was last active (last model call or message); a running session is never idle.';
export const schema = thresholdSchema('comparison with a duration, e.g. "> 24h"');
export const example = 'when: { idle: "> 24h" }';
export const scopes = ['session'] as const;

/** Compiles the threshold; a session with no activity time known never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  return thresholdCondition(name, value, 'duration', false, (context) => {
    const session = context.session;
    if (session === undefined) return undefined;
    if (session.active) return 0;
    // The start counts as activity only when nothing later is known.
    let last = Math.max(session.lastActivityAt ?? -Infinity, context.usage?.lastCallAt ?? -Infinity);
    if (last === -Infinity) last = session.startedAt ?? -Infinity;
    return last === -Infinity ? undefined : Math.max(0, context.now - last);
  });
}
