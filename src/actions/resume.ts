import type { PolicyAction } from '../domain/decision.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [resume]` — Undo a pause or kill made by clawwarden. */
export const name = 'resume';
export const description = 'Undo a pause or kill made by clawwarden.';
export const capability = 'resume' as const;
export const bare = true;
export const schema = simpleSchema(name);
export const example = 'do: [ resume ]';

/** Accepts the bare word `resume`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
