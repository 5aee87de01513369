import { DEMO_CONFIG_YAML } from '../sources/demo/config.js';
import { BUILTIN_REGISTRIES } from './builtin.js';
import { loadConfigWith, loadConfigWithAsync, type LoadOptions } from './config-file.js';
import type { LoadResult } from './interpret.js';
import type { Registries } from './schema.js';

export type { LoadResult } from './interpret.js';
export type { LoadOptions } from './config-file.js';
export { DEFAULT_CONFIG_FILES } from './config-file.js';
export { formatConfigError, ConfigLoadError, type ConfigError } from './errors.js';

/** The built-in plugin registries: every source, notifier and the policy language; the same object on every call. */
export function builtinRegistries(): Registries {
  return BUILTIN_REGISTRIES;
}

/** What loadConfig takes: the file (or the demo), where relative paths start, the environment secrets come from. */
export interface ConfigSource {
  readonly file?: string;
  readonly demo?: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** `false`: check secret references for shape only, read none (`validate --no-secrets`). */
  readonly resolveSecrets?: boolean;
}

/**
 * Loads, validates and compiles the config with the built-in plugins; `config` is set only when `errors` is empty.
 * Synchronous (for one-shot commands); a long-running process should use loadConfigAsync.
 */
export function loadConfig(options: ConfigSource): LoadResult {
  const withDemo: LoadOptions = { ...options, demoText: DEMO_CONFIG_YAML };
  return loadConfigWith(builtinRegistries(), withDemo);
}

/** loadConfig without blocking the event loop on a file: every read is async and given up after FILE_READ_TIMEOUT_MS (for the daemon and SIGHUP reloads). */
export function loadConfigAsync(options: ConfigSource): Promise<LoadResult> {
  const withDemo: LoadOptions = { ...options, demoText: DEMO_CONFIG_YAML };
  return loadConfigWithAsync(builtinRegistries(), withDemo);
}
