import type { JSONSchemaType } from 'ajv';
import type { PolicyAction } from '../domain/decision.js';
import { bareOrValueSchema } from './simple.js';

/** One notifier's name, or a list of them. */
type Target = string | string[];

/** `notify` (every notifier), `{ notify: ops-chat }` or `{ notify: [ops-chat, ops-email] }`. */
export const name = 'notify';
export const description = 'Send the reasons to notifiers: all of them (bare `notify`), one by name, or a list.';
export const capability = undefined;
export const bare = true;
export const valueSchema: JSONSchemaType<Target> = {
  anyOf: [
    { type: 'string', minLength: 1, description: 'a notifier name' },
    { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'a list of notifier names' },
  ],
};
export const schema = bareOrValueSchema(name, valueSchema);
export const example = 'do: [ { notify: ops-chat }, stop ]';

/** The three forms, as the schema accepted them; names are checked against the configured notifiers by compileAction. */
export function parse(value: typeof name | { readonly notify: Target }): PolicyAction {
  if (value === name) return { action: 'notify', notifiers: 'all' };
  return { action: 'notify', notifiers: typeof value.notify === 'string' ? [value.notify] : [...value.notify] };
}
