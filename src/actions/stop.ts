import type { ActionTraits } from './types.js';
import { simpleAction } from './simple.js';

/** Ends a run only: never held, never needs known usage; a policy stops a protected session only with allowProtected; an operator stops a running session (also a held or paused one whose run started). */
const traits = {
  disruptive: false,
  hold: 'none',
  onMain: 'yes',
  onProtected: 'if-allowed',
  cascades: true,
  countsTowardBlastRadius: true,
  manual: { states: ['running', 'paused', 'held', 'killed'], whileRunning: true },
  words: { done: 'stopped', noop: 'nothing to stop' },
} as const satisfies ActionTraits;

/** `do: [ stop ]` — End the current run; the session stays usable. */
export const stop = simpleAction('stop', 'End the current run; the session stays usable.', traits);
