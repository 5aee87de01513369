import type { PolicyAction } from '../domain/decision.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [kill]` — End the run and its queued work and let nothing new start (archive, or a hold on main sessions). */
export const name = 'kill';
export const description = 'End the run and its queued work and let nothing new start (archive, or a hold on main sessions).';
export const capability = 'kill' as const;
export const bare = true;
export const schema = simpleSchema(name);
export const example = 'do: [ kill ]';

/** Accepts the bare word `kill`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
