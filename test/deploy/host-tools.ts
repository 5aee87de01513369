import { spawnSync } from 'node:child_process';

/**
 * Whether a host program answers `<name> <probeArg>`. Under CI a missing one throws (the deploy
 * checks must FAIL, not skip, where .ci/run should have installed it); locally it returns false so
 * the caller can skip.
 */
export function hostTool(name: string, probeArg = '--version'): boolean {
  const probe = spawnSync(name, [probeArg], { encoding: 'utf8' });
  if (probe.error === undefined && probe.status === 0) return true;
  if (process.env.CI) {
    throw new Error(`${name} is required under CI (installed by .ci/run) but "${name} ${probeArg}" failed: ${probe.error?.message ?? probe.stderr}`);
  }
  return false;
}
