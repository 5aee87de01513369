import type { PolicyAction } from '../domain/decision.js';
import type { ActionTraits } from './types.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [pause]` — Block new work until resumed (archive, or a hold on main sessions); windowed policies resume it when the window resets. */
export const name = 'pause';
export const description = 'Block new work until resumed (archive, or a hold on main sessions); windowed policies resume it when the window resets.';
export const capability = 'pause' as const;
export const bare = true;
/** Reversible by resume (it places a hold); on a main session only as the daemon's hold; never on protected sessions by policy. */
export const traits = {
  disruptive: true,
  hold: 'places',
  onMain: 'daemon',
  onProtected: 'never',
  cascades: false,
  countsTowardBlastRadius: true,
  manual: { states: ['running', 'idle', 'stopped'] },
  words: { done: 'paused', noop: 'already paused' },
} as const satisfies ActionTraits;
export const schema = simpleSchema(name);
export const example = 'do: [ pause ]';

/** Accepts the bare word `pause`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
