import type { JSONSchemaType } from 'ajv';
import { Secret, type SecretValue } from '../domain/secret.js';

/**
 * JSON schema of an option that may hold a secret: a plain string, `${env:NAME}`, `{ file: /path }`, or (after the
 * loader resolved it) a `Secret` instance, hence the open object branch.
 */
export const secretOptionSchema: JSONSchemaType<SecretOption> = {
  description: 'A string, "${env:NAME}" or { file: /path } (resolved to a secret by the config loader).',
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'object', required: [] },
  ],
};

/** A secret option as the schema sees it: text, or a map (a `{ file: … }` reference, or the Secret it became). */
export type SecretOption = string | Record<string, unknown>;

/** True when `value` is a usable secret option after loading (a non-empty string or a Secret). */
export function isSecretValue(value: unknown): value is SecretValue {
  return (typeof value === 'string' && value.length > 0) || value instanceof Secret;
}
