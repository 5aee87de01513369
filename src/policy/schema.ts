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
 * discriminated with if/then on the value's type, so ajv errors can be narrowed to one actionable message.
 * Units, globs, zones and names are checked by compilePolicy.
 */
export function policySchema(): object {
  const actions = doSchema(actionModules);
  const duration = { type: 'string', description: 'a duration like "90s", "30m", "1h", "7d"' };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    required: ['name', 'when', 'do'],
    properties: {
      name: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'unique policy name' },
      description: { type: 'string' },
      match: matchSchema(),
      when: { $ref: '#/definitions/when' },
      do: actions,
      escalate: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['after', 'do'],
          properties: { after: duration, if: { type: 'string', enum: ['active'] }, do: actions },
        },
      },
      cooldown: duration,
      warn: { type: ['string', 'number'], description: 'a percentage like "80%"' },
      scope: { type: 'string', enum: ['session', 'agent', 'fleet'] },
      window: {
        type: 'object',
        additionalProperties: false,
        required: ['every'],
        properties: {
          every: { type: 'string', enum: ['day', 'week', 'month'] },
          at: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, 24 h' },
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
