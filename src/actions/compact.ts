import type { PolicyAction } from '../domain/decision.js';
import type { ActionTraits } from './types.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [compact]` — Shrink a bloated context (spends tokens). */
export const name = 'compact';
export const description = 'Shrink a bloated context (spends tokens).';
export const capability = 'compact' as const;
export const bare = true;
/** Spends tokens on the session's context: counted, never on protected sessions; policies only. */
export const traits = {
  disruptive: false,
  hold: 'none',
  onMain: 'yes',
  onProtected: 'never',
  cascades: false,
  countsTowardBlastRadius: true,
  manual: false,
  words: { done: 'compacted', noop: 'nothing to compact' },
} as const satisfies ActionTraits;
export const schema = simpleSchema(name);
export const example = 'do: [ compact ]';

/** Accepts the bare word `compact`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
