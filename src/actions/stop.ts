import type { PolicyAction } from '../domain/decision.js';
import type { ActionTraits } from './types.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [stop]` — End the current run; the session stays usable. */
export const name = 'stop';
export const description = 'End the current run; the session stays usable.';
export const capability = 'stop' as const;
export const bare = true;
/** Ends a run only: never held, never needs known usage; a policy stops a protected session only with allowProtected; an operator stops a running session (also a held or paused one whose run started). */
export const traits = {
  disruptive: false,
  hold: 'none',
  onMain: 'yes',
  onProtected: 'if-allowed',
  cascades: true,
  countsTowardBlastRadius: true,
  manual: { states: ['running', 'paused', 'held', 'killed'], whileRunning: true },
  words: { done: 'stopped', noop: 'nothing to stop' },
} as const satisfies ActionTraits;
export const schema = simpleSchema(name);
export const example = 'do: [ stop ]';

/** Accepts the bare word `stop`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
