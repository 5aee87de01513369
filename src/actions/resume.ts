import type { ActionTraits } from './types.js';
import { simpleAction } from './simple.js';

/** Gives work back: releases the hold (even of a session that is gone), never refused for protection, not counted toward the blast radius. */
const traits = {
  disruptive: false,
  hold: 'releases',
  onMain: 'daemon',
  onProtected: 'always',
  cascades: false,
  countsTowardBlastRadius: false,
  manual: { states: ['paused', 'held', 'killed', 'archived'] },
  words: { done: 'resumed', noop: 'not paused' },
} as const satisfies ActionTraits;

/** `do: [ resume ]` — Undo a pause or kill made by clawwarden. */
export const resume = simpleAction('resume', 'Undo a pause or kill made by clawwarden.', traits);
