import type { PolicyAction } from '../domain/decision.js';
import type { ActionTraits } from './types.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [kill]` — End the run and its queued work and let nothing new start (archive, or a hold on main sessions). */
export const name = 'kill';
export const description = 'End the run and its queued work and let nothing new start (archive, or a hold on main sessions).';
export const capability = 'kill' as const;
export const bare = true;
/** Reversible by resume (it places a hold); on a main session only as the daemon's hold; never on protected sessions by policy. */
export const traits = {
  disruptive: true,
  hold: 'places',
  onMain: 'daemon',
  onProtected: 'never',
  cascades: true,
  countsTowardBlastRadius: true,
  manual: { states: ['running', 'idle', 'stopped'] },
  words: { done: 'killed', noop: 'already killed' },
} as const satisfies ActionTraits;
export const schema = simpleSchema(name);
export const example = 'do: [ kill ]';

/** Accepts the bare word `kill`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
