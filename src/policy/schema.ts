import type { Options, ValidateFunction } from 'ajv';
import { precompiledOrCompile } from '../schema/precompiled.js';
import { conditionModules } from '../conditions/index.js';
import { whenSchema } from '../conditions/when.js';
import { actionModules } from '../actions/index.js';
import { doSchema } from '../actions/compile.js';
import { matchSchema } from './match.js';

/** The keys a policy object may have. */
export const POLICY_KEYS = ['name', 'description', 'match', 'when', 'do', 'escalate', 'cooldown', 'warn', 'scope', 'window', 'mode', 'allowProtected', 'hard', 'tree'] as const;

/**
 * JSON schema (draft-07, ajv with `allowUnionTypes`) of ONE policy object, assembled from the condition and
 * action registries. Every object is closed (`additionalProperties: false`) and alternatives are
 * discriminated with if/then on the value's type, so ajv errors can be narrowed to one actionable message. Each
 * object's `propertyNames.title` says what its keys are, for "unknown policy key" messages. It is the one check of
 * keys, types and enums; compilePolicy adds only what a schema cannot say (units, globs, zones, notifiers, capabilities).
 */
export function policySchema(): object {
  const actions = { ...doSchema(actionModules), description: 'the actions to take, e.g. do: [ { notify: ops-chat }, stop ]' };
  const duration = { type: 'string', description: 'a duration like "90s", "30m", "1h", "7d"' };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    propertyNames: { title: 'policy key' },
    required: ['name', 'when', 'do'],
    properties: {
      name: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'a unique name of letters, digits, ".", "_" or "-"' },
      description: { type: 'string' },
      match: matchSchema(),
      when: { $ref: '#/definitions/when', description: 'the condition that triggers the policy, e.g. when: { tokens.total: "> 200k" }' },
      do: actions,
      escalate: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          propertyNames: { title: 'step key' },
          required: ['after', 'do'],
          properties: {
            after: { ...duration, description: 'the grace period after the previous step, e.g. 5m' },
            if: { type: 'string', enum: ['active'] },
            do: { ...actions, description: 'the actions of this step' },
          },
        },
      },
      cooldown: duration,
      warn: { type: ['string', 'number'], description: 'a percentage like "80%"' },
      scope: { type: 'string', enum: ['session', 'agent', 'fleet'] },
      window: {
        type: 'object',
        additionalProperties: false,
        propertyNames: { title: 'window key' },
        required: ['every'],
        properties: {
          every: { type: 'string', enum: ['day', 'week', 'month'], description: 'the period: day, week or month' },
          at: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'a 24-hour time "HH:MM" like "00:00" or "18:30"' },
          tz: { type: 'string', description: 'IANA time zone, e.g. Europe/Berlin' },
        },
      },
      mode: { type: 'string', enum: ['enforce', 'observe', 'dry-run'], description: 'observe (alias dry-run): decide and record, act on nothing' },
      allowProtected: { type: 'boolean' },
      hard: { type: 'boolean', description: 'a token or cost cap the in-gateway guard holds before the next call would cross it' },
      tree: { type: 'boolean', description: 'session scope: measure the session together with every session it spawned (sub-agents), transitively' },
    },
    definitions: { when: whenSchema(conditionModules) },
  };
}

/** ajv's options for the policy schema: every error, each with the value and schema it is about (verbose, for messages). */
export const POLICY_AJV_OPTIONS: Options = { allErrors: true, verbose: true, allowUnionTypes: true, strict: false };

/** Where the build writes the policy validator (beside this module, in dist). */
export const GENERATED_POLICY_VALIDATOR = new URL('./policy-schema.generated.js', import.meta.url);

/**
 * A validator for ONE policy object, as compilePolicy uses it: the one generated at build time when it is fresh, else
 * compiled now (which is costly: build it once per policy language, not per policy).
 */
export function policyValidator(): ValidateFunction {
  return precompiledOrCompile('policy', policySchema(), POLICY_AJV_OPTIONS, GENERATED_POLICY_VALIDATOR);
}
