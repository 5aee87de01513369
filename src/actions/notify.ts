import type { PolicyAction } from '../domain/decision.js';
import { PolicyValueError } from '../domain/problem.js';
import { bareOrValueSchema } from './simple.js';

/** `notify` (every notifier), `{ notify: ops-chat }` or `{ notify: [ops-chat, ops-email] }`. */
export const name = 'notify';
export const description = 'Send the reasons to notifiers: all of them (bare `notify`), one by name, or a list.';
export const capability = undefined;
export const bare = true;
export const valueSchema = { type: ['string', 'array'], items: { type: 'string' }, minItems: 1 } as const;
export const schema = bareOrValueSchema(name, valueSchema);
export const example = 'do: [ { notify: ops-chat }, stop ]';

/** Parses the three forms; names are checked against the configured notifiers by compilePolicy. */
export function parse(value: unknown): PolicyAction {
  if (value === name) return { action: 'notify', notifiers: 'all' };
  const target = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  if (typeof target === 'string' && target !== '') return { action: 'notify', notifiers: [target] };
  if (Array.isArray(target) && target.length > 0 && target.every((t) => typeof t === 'string' && t !== '')) {
    return { action: 'notify', notifiers: [...(target as string[])] };
  }
  throw new PolicyValueError('E_ACTION', `notify takes a notifier name or a list of names, found ${JSON.stringify(target)}`, [name]);
}
