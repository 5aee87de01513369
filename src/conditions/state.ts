import { SESSION_STATES, sessionState, type SessionDisplayState } from '../domain/session-view.js';
import type { CompiledCondition } from './types.js';
import type { JSONSchemaType } from 'ajv';
import { UNKNOWN } from './measure.js';

/** The lifecycle words `state` understands: the one vocabulary of session states (domain). */
export { SESSION_STATES, sessionState };
export type SessionState = SessionDisplayState;

/** `state: idle` or `state: [paused, held]` — the session's lifecycle state. */
export const name = 'state';
export const description =
  'The session state: running, idle, stopped (last run aborted), paused (by clawwarden), held (main session blocked by clawwarden), killed (by clawwarden) or archived (by anyone else); one or a list.';
export const schema: JSONSchemaType<SessionState | SessionState[]> = {
  anyOf: [
    { type: 'string', enum: [...SESSION_STATES] },
    { type: 'array', items: { type: 'string', enum: [...SESSION_STATES] }, minItems: 1 },
  ],
};
export const example = 'when: { all: [ { state: [paused, held] }, { idle: "> 7d" } ] }';
export const scopes = ['session'] as const;

/** Compiles one state or a list; without a session (aggregate scope) it never matches. */
export function compile(value: SessionState | readonly SessionState[]): CompiledCondition {
  const wanted = new Set<SessionState>(typeof value === 'string' ? [value] : value);
  const label = [...wanted].join('|');
  return {
    usesUsage: false,
    holds: (context) => context.session !== undefined && wanted.has(sessionState(context.session, context.hold)),
    evaluate(context) {
      if (context.session === undefined) return UNKNOWN;
      const state = sessionState(context.session, context.hold);
      return { matched: wanted.has(state), measurements: [{ metric: 'state', value: 0, op: 'is', threshold: 0, text: `state ${state} (${label})` }] };
    },
    budget: () => 0,
  };
}
