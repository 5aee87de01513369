import { setFlagsFromString } from 'node:v8';

/** The young generation the daemon runs with, unless the operator sets their own. */
export const DAEMON_SEMI_SPACE_MB = 1;

/**
 * The daemon idles between sweeps, and V8 sizes its young generation for throughput: each sweep's garbage grows it to
 * tens of MB that stay resident while the daemon waits. A 1 MB semi-space keeps an idle daemon watching 1,000 sessions
 * about 25 MB smaller (the `footprint` bench) for a few percent more collector time during a sweep. An operator's own
 * `--max-semi-space-size` (node flags or NODE_OPTIONS) wins. Returns the flag applied, if any.
 */
export function tuneHeapForIdling(execArgv: readonly string[], env: NodeJS.ProcessEnv, set: (flags: string) => void = setFlagsFromString): string | undefined {
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => /^--max[-_]semi[-_]space[-_]size\b/.test(arg));
  if (given) return undefined;
  const flag = `--max-semi-space-size=${DAEMON_SEMI_SPACE_MB}`;
  set(flag);
  return flag;
}
