import { notifierModules } from '../notifiers/index.js';
import { compilePolicy, policySchema } from '../policy/index.js';
import { DEMO_CONFIG_YAML } from '../sources/demo/config.js';
import { sourceModules } from '../sources/index.js';
import { loadConfigWith, type LoadOptions } from './loader.js';
import type { LoadResult } from './read.js';
import type { Registries } from './schema.js';

export type { LoadResult } from './read.js';
export type { LoadOptions } from './loader.js';
export { DEFAULT_CONFIG_FILES } from './loader.js';
export { formatConfigError, ConfigLoadError, type ConfigError } from './errors.js';

/** The built-in plugin registries: every source, notifier and the policy language. */
export function builtinRegistries(): Registries {
  return {
    sources: sourceModules,
    notifiers: Object.values(notifierModules),
    policy: { schema: policySchema, compile: compilePolicy },
  };
}

/** Loads, validates and compiles the config with the built-in plugins; `config` is set only when `errors` is empty. */
export function loadConfig(options: { file?: string; demo?: boolean; cwd: string; env: NodeJS.ProcessEnv }): LoadResult {
  const withDemo: LoadOptions = { ...options, demoText: DEMO_CONFIG_YAML };
  return loadConfigWith(builtinRegistries(), withDemo);
}
