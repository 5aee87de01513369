import type { PolicyAction } from '../domain/decision.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [pause]` — Block new work until resumed (archive, or a hold on main sessions); windowed policies resume it when the window resets. */
export const name = 'pause';
export const description = 'Block new work until resumed (archive, or a hold on main sessions); windowed policies resume it when the window resets.';
export const capability = 'pause' as const;
export const bare = true;
export const schema = simpleSchema(name);
export const example = 'do: [ pause ]';

/** Accepts the bare word `pause`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
