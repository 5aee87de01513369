import type { Session } from '../domain/session.js';
import type { CompiledCondition } from './types.js';
import { PolicyValueError } from '../domain/problem.js';
import { UNKNOWN } from './measure.js';

/** The lifecycle words `state` understands. */
export const SESSION_STATES = ['running', 'idle', 'paused', 'held', 'archived'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** held: a clawwarden hold on an unarchivable session; paused: archived by clawwarden; archived: by anyone else. */
export function sessionState(session: Session, held: boolean): SessionState {
  if (held) return session.archived ? 'paused' : 'held';
  if (session.archived) return 'archived';
  return session.active ? 'running' : 'idle';
}

/** `state: idle` or `state: [paused, held]` — the session's lifecycle state. */
export const name = 'state';
export const description = 'The session state: running, idle, paused (by clawwarden), held (main session blocked by clawwarden) or archived; one or a list.';
export const schema = {
  type: ['string', 'array'],
  items: { type: 'string', enum: [...SESSION_STATES] },
  minItems: 1,
  if: { type: 'string' },
  then: { enum: [...SESSION_STATES] },
} as const;
export const example = 'when: { all: [ { state: [paused, held] }, { idle: "> 7d" } ] }';
export const scopes = ['session'] as const;

/** Compiles one state or a list; without a session (aggregate scope) it never matches. */
export function compile(value: unknown): CompiledCondition {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new PolicyValueError('E_STATE', `found ${JSON.stringify(value)}: expected a state or a list of states`, [], [...SESSION_STATES]);
  }
  list.forEach((s, i) => {
    if (!(SESSION_STATES as readonly unknown[]).includes(s)) {
      throw new PolicyValueError('E_STATE', `unknown state ${JSON.stringify(s)}; expected one of: ${SESSION_STATES.join(', ')}`, typeof value === 'string' ? [] : [i], [...SESSION_STATES]);
    }
  });
  const wanted = new Set(list as SessionState[]);
  const label = [...wanted].join('|');
  return {
    usesUsage: false,
    holds: (context) => context.session !== undefined && wanted.has(sessionState(context.session, context.held === true)),
    evaluate(context) {
      if (context.session === undefined) return UNKNOWN;
      const state = sessionState(context.session, context.held === true);
      return { matched: wanted.has(state), measurements: [{ metric: 'state', value: 0, op: 'is', threshold: 0, text: `state ${state} (${label})` }] };
    },
    budget: () => 0,
  };
}
