import type { ActionTraits } from './types.js';
import { simpleAction } from './simple.js';

/** Reversible by resume (it places a hold); on a main session only as the daemon's hold; never on protected sessions by policy. */
const traits = {
  disruptive: true,
  hold: 'places',
  onMain: 'daemon',
  onProtected: 'never',
  cascades: true,
  countsTowardBlastRadius: true,
  manual: { states: ['running', 'idle', 'stopped'] },
  words: { done: 'killed', noop: 'already killed' },
} as const satisfies ActionTraits;

/** `do: [ kill ]` — End the run and its queued work and let nothing new start (archive, or a hold on main sessions). */
export const kill = simpleAction('kill', 'End the run and its queued work and let nothing new start (archive, or a hold on main sessions).', traits);
