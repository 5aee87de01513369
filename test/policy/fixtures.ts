import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { compilePolicy, policySchema } from '../../src/policy/index.js';
import type { Policy } from '../../src/policy/index.js';
import type { ActionName } from '../../src/sources/source.js';
import { ACTION_NAMES } from '../../src/sources/source.js';

/** What a full-featured configuration offers: two notifiers and a source that can do everything. */
export const FULL = { notifiers: ['ops-chat', 'ops-email'], capabilities: new Set<ActionName>(ACTION_NAMES) };
export const ORIGIN = { file: 'policies/test.yaml', line: 1, column: 1, path: 'policies[0]' };

/** A policy schema validator configured as the config loader is expected to. */
export function schemaValidator() {
  return new Ajv({ allErrors: true, allowUnionTypes: true, strict: true }).compile(policySchema());
}

/** Compiles a policy written in YAML, failing the test with its problems if it does not compile. */
export function policy(yaml: string, options = FULL): Policy {
  const result = compilePolicy(parse(yaml), ORIGIN, options);
  if (!result.policy) throw new Error(`policy did not compile: ${JSON.stringify(result.problems)}`);
  return result.policy;
}
