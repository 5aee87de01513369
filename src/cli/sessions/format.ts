import { renderTable } from '../table.js';
import type { KeyResult, SessionView } from './control.js';

/** `3d4h`, `12m`, `40s`: the two largest units of a duration, for the idle and age columns. */
export function shortDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (unit === 's' && parts.length === 0)) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join('');
}

const count = (n: number | undefined): string => (n === undefined ? '-' : n.toLocaleString('en-US'));

/** The word for a session's state in the table. */
export function stateOf(s: SessionView): string {
  if (s.active) return 'running';
  if (s.archived) return 'archived';
  return s.status ?? 'idle';
}

/** The `sessions list` table: key, agent, state, tokens in/out/total, cost, idle, age. */
export function sessionsTable(sessions: readonly SessionView[], now: number): string {
  const rows = sessions.map((s) => [
    s.key,
    s.agent,
    stateOf(s),
    count(s.usage?.input),
    count(s.usage?.output),
    count(s.usage === undefined ? undefined : s.usage.input + s.usage.output + s.usage.cacheRead + s.usage.cacheWrite),
    s.usage === undefined ? '-' : `$${s.usage.cost.toFixed(4)}`,
    // OpenClaw does not move lastActivityAt during a run: a running session is not idle.
    s.active ? '0s' : s.lastActivityAt === undefined ? '-' : shortDuration(now - s.lastActivityAt),
    s.startedAt === undefined ? '-' : shortDuration(now - s.startedAt),
  ]);
  return renderTable(['KEY', 'AGENT', 'STATE', 'IN', 'OUT', 'TOTAL', 'COST', 'IDLE', 'AGE'], rows, ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']);
}

/** One line per key, in order: `stop  agent:main:loop1  done  run aborted`. */
export function resultsText(results: readonly KeyResult[]): string {
  if (results.length === 0) return 'nothing to do\n';
  return renderTable(['ACTION', 'KEY', 'RESULT', 'DETAIL'], results.map((r) => [r.action, r.key, r.status, r.detail]));
}

/** Total tokens of a view (input + output + cache), what `--tokens N` compares. */
export function totalTokens(s: SessionView): number {
  return s.usage === undefined ? 0 : s.usage.input + s.usage.output + s.usage.cacheRead + s.usage.cacheWrite;
}
