import type { PolicyAction } from '../domain/decision.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [stop]` — End the current run; the session stays usable. */
export const name = 'stop';
export const description = 'End the current run; the session stays usable.';
export const capability = 'stop' as const;
export const bare = true;
export const schema = simpleSchema(name);
export const example = 'do: [ stop ]';

/** Accepts the bare word `stop`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
