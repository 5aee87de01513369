import type { PolicyAction } from '../domain/decision.js';
import type { ActionTraits, PlatformActionModule } from './types.js';
import type { JSONSchemaType } from 'ajv';

/** Actions written only as their bare word: those whose PolicyAction carries nothing but the name. */
type SimpleName = Exclude<PolicyAction, { readonly notifiers: unknown } | { readonly cleanup: unknown }>['action'];

/** Schema of an action written only as its bare word. */
export function simpleSchema<N extends SimpleName>(name: N): JSONSchemaType<N> {
  return { type: 'string', enum: [name] };
}

/**
 * A platform action written only as its bare word (`- stop`): its module gives the name, one line of docs and the
 * traits; the capability (its own name), schema, example and parser follow from the name.
 */
export function simpleAction<const N extends SimpleName, const T extends ActionTraits>(name: N, description: string, traits: T) {
  return {
    name,
    description,
    capability: name,
    bare: true,
    traits,
    schema: simpleSchema(name),
    example: `do: [ ${name} ]`,
    // The schema lets through only the bare word (or, beside a notice, the key with no value).
    parse: (_value: N): PolicyAction => ({ action: name }),
  } as const satisfies PlatformActionModule<N>;
}

/** Schema of an action written as its bare word (`cleanup`) or as a one-key map with a value (`{ cleanup: delete }`). */
export function bareOrValueSchema<N extends string, V extends object>(name: N, valueSchema: V) {
  return {
    type: ['string', 'object'],
    if: { type: 'string' },
    then: { enum: [name] },
    else: { additionalProperties: false, required: [name], properties: { [name]: valueSchema } },
  } as const;
}
