import type { ActionTraits } from './types.js';
import { simpleAction } from './simple.js';

/** Spends tokens on the session's context: counted, never on protected sessions; policies only. */
const traits = {
  disruptive: false,
  hold: 'none',
  onMain: 'yes',
  onProtected: 'never',
  cascades: false,
  countsTowardBlastRadius: true,
  manual: false,
  words: { done: 'compacted', noop: 'nothing to compact' },
} as const satisfies ActionTraits;

/** `do: [ compact ]` — Shrink a bloated context (spends tokens). */
export const compact = simpleAction('compact', 'Shrink a bloated context (spends tokens).', traits);
