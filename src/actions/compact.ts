import type { PolicyAction } from '../domain/decision.js';
import { simpleParse, simpleSchema } from './simple.js';

/** `do: [compact]` — Shrink a bloated context (spends tokens). */
export const name = 'compact';
export const description = 'Shrink a bloated context (spends tokens).';
export const capability = 'compact' as const;
export const bare = true;
export const schema = simpleSchema(name);
export const example = 'do: [ compact ]';

/** Accepts the bare word `compact`. */
export function parse(value: unknown): PolicyAction {
  return simpleParse(name, value);
}
