import type { ConfigError, ConfigErrorCode } from './errors.js';
import { globProblem } from './policy-files.js';
import { cronProblem } from './cron.js';
import { parseActionLimits, parseListen } from './settings.js';
import type { Segment } from './yaml-file.js';

type Report = (code: ConfigErrorCode, path: readonly Segment[], message: string, extra?: Partial<ConfigError>) => void;

/** Checks the schema cannot express: cron syntax, host:port, blast-radius limits, protect globs, unique source names. */
export function checkSettings(plain: Record<string, unknown>, report: Report): void {
  const schedule = plain['schedule'];
  if (typeof schedule === 'string') {
    const problem = cronProblem(schedule);
    if (problem) report('BAD_CRON', ['schedule'], problem);
  }
  const http = plain['http'] as Record<string, unknown> | undefined;
  if (typeof http?.['listen'] === 'string') {
    const listen = parseListen(http['listen']);
    if (typeof listen === 'string') report('BAD_LISTEN', ['http', 'listen'], listen);
  }
  const safety = plain['safety'] as Record<string, unknown> | undefined;
  if (safety && 'maxActionsPerSweep' in safety) {
    const limits = parseActionLimits(safety['maxActionsPerSweep']);
    if (typeof limits === 'string') report('BAD_LIMIT', ['safety', 'maxActionsPerSweep'], limits);
  }
  const protect = safety?.['protect'];
  if (Array.isArray(protect)) {
    protect.forEach((glob: unknown, i) => {
      const problem = typeof glob === 'string' ? globProblem(glob) : undefined;
      if (problem) report('BAD_GLOB', ['safety', 'protect', i], `bad glob "${String(glob)}": ${problem}`);
    });
  }
  const sources = plain['sources'];
  if (Array.isArray(sources)) {
    const first = new Map<string, number>();
    sources.forEach((source: unknown, i) => {
      const name = (source as Record<string, unknown> | null)?.['name'];
      if (typeof name !== 'string') return;
      const earlier = first.get(name);
      if (earlier === undefined) first.set(name, i);
      else report('DUPLICATE_NAME', ['sources', i, 'name'], `duplicate source name "${name}" (also sources[${earlier}])`);
    });
  }
}
