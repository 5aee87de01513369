import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_POLICY_VALIDATOR, POLICY_AJV_OPTIONS, policySchema } from '../policy/schema.js';
import { standaloneModule } from '../schema/standalone.js';
import { BUILTIN_REGISTRIES } from './builtin.js';
import { configSchema } from './schema.js';
import { CONFIG_AJV_OPTIONS, GENERATED_CONFIG_VALIDATOR } from './validators.js';

/**
 * Writes the config and policy validators of the built-in registries as standalone modules where their loaders look
 * for them (beside the loaders: run from dist, into dist). Returns the files written. Build-time only.
 */
export function writeGeneratedValidators(): string[] {
  const modules: [URL, string][] = [
    [GENERATED_CONFIG_VALIDATOR, standaloneModule(configSchema(BUILTIN_REGISTRIES), CONFIG_AJV_OPTIONS)],
    [GENERATED_POLICY_VALIDATOR, standaloneModule(policySchema(), POLICY_AJV_OPTIONS)],
  ];
  return modules.map(([url, code]) => {
    const path = fileURLToPath(url);
    writeFileSync(path, code);
    return path;
  });
}
