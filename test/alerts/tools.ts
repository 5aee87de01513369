import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The shipped rule file and its promtool unit tests. */
export const RULES = fileURLToPath(new URL('../../alerts/clawwarden.rules.yml', import.meta.url));
export const RULE_TESTS = fileURLToPath(new URL('../../alerts/clawwarden.test.yml', import.meta.url));

/**
 * True when `binary` runs. Missing locally: the caller skips. Missing under CI: throws, so the suite fails
 * rather than silently passing without Prometheus.
 */
export function have(binary: string): boolean {
  const found = spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env['CI']) throw new Error(`${binary} is required under CI (apt-get install prometheus)`);
  return found;
}
