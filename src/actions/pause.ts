import type { ActionTraits } from './types.js';
import { simpleAction } from './simple.js';

/** Reversible by resume (it places a hold); on a main session only as the daemon's hold; never on protected sessions by policy. */
const traits = {
  disruptive: true,
  hold: 'places',
  onMain: 'daemon',
  onProtected: 'never',
  cascades: false,
  countsTowardBlastRadius: true,
  manual: { states: ['running', 'idle', 'stopped'] },
  words: { done: 'paused', noop: 'already paused' },
} as const satisfies ActionTraits;

/** `do: [ pause ]` — Block new work until resumed (archive, or a hold on main sessions); windowed policies resume it when the window resets. */
export const pause = simpleAction('pause', 'Block new work until resumed (archive, or a hold on main sessions); windowed policies resume it when the window resets.', traits);
