import type { Options, ValidateFunction } from 'ajv';
import { compileNow, precompiledOrCompile } from '../schema/precompiled.js';
import { BUILTIN_REGISTRIES } from './builtin.js';
import { configSchema, type Registries } from './schema.js';

/** ajv's options for the config schema: every error, each with its schema and value (for messages), defaults filled in. */
export const CONFIG_AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: false, useDefaults: true };

/** Where the build writes the config validator of the built-in registries (beside this module, in dist). */
export const GENERATED_CONFIG_VALIDATOR = new URL('./config-schema.generated.js', import.meta.url);

// One validator per registries object, so a reload (SIGHUP) never compiles again; a registries object is never changed.
const validators = new WeakMap<Registries, ValidateFunction>();

/**
 * The validator of the main config file for `registries`: for the built-in ones, the one generated at build time when it
 * is fresh; otherwise compiled on first use. Kept for the registries object's lifetime.
 */
export function configValidator(registries: Registries): ValidateFunction {
  let validate = validators.get(registries);
  if (!validate) {
    const schema = configSchema(registries);
    validate = registries === BUILTIN_REGISTRIES ? precompiledOrCompile('config', schema, CONFIG_AJV_OPTIONS, GENERATED_CONFIG_VALIDATOR) : compileNow(schema, CONFIG_AJV_OPTIONS);
    validators.set(registries, validate);
  }
  return validate;
}
