import type { PolicyAction } from '../domain/decision.js';
import type { ActionTraits } from './types.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [resume]` — Undo a pause or kill made by clawwarden. */
export const name = 'resume';
export const description = 'Undo a pause or kill made by clawwarden.';
export const capability = 'resume' as const;
export const bare = true;
/** Gives work back: releases the hold (even of a session that is gone), never refused for protection, not counted toward the blast radius. */
export const traits = {
  disruptive: false,
  hold: 'releases',
  onMain: 'daemon',
  onProtected: 'always',
  cascades: false,
  countsTowardBlastRadius: false,
  manual: { states: ['paused', 'held', 'killed', 'archived'] },
  words: { done: 'resumed', noop: 'not paused' },
} as const satisfies ActionTraits;
export const schema = simpleSchema(name);
export const example = 'do: [ resume ]';

/** Accepts the bare word `resume`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
