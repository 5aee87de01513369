import { validateDetailed } from 'node-cron';
import { formatDuration } from '../domain/units.js';
import { MIN_SWEEP_SECONDS } from './limits.js';

const DAY = 24 * 60 * 60;

/** The shortest time between two sweeps of a schedule; `exact` unless day, month or weekday fields skip days (then it is a lower bound). */
export interface SweepInterval {
  readonly seconds: number;
  readonly exact: boolean;
}

/** Why a cron expression is invalid (node-cron's own words) or sweeps more often than every MIN_SWEEP_SECONDS, or undefined. */
export function cronProblem(expression: string): string | undefined {
  const result = validateDetailed(expression);
  if (!result.valid) {
    const reasons = result.errors.map((e) => e.message).join('; ');
    return `invalid cron expression "${expression}": ${reasons || 'not a cron expression'}`;
  }
  const interval = sweepInterval(expression);
  if (interval && interval.seconds < MIN_SWEEP_SECONDS) {
    return `"${expression}" sweeps ${interval.seconds} s apart; sweeps must be at least ${MIN_SWEEP_SECONDS} s apart (e.g. "*/${MIN_SWEEP_SECONDS} * * * * *"), and a 5-field schedule (every minute at most) is always fine`;
  }
  return undefined;
}

/** The shortest time between two fires of a valid cron expression, or undefined when it is invalid. */
export function sweepInterval(expression: string): SweepInterval | undefined {
  const result = validateDetailed(expression);
  if (!result.valid || !result.fields) return undefined;
  const { second, minute, hour, dayOfMonth, month, dayOfWeek } = result.fields;
  const [seconds, minutes, hours] = [second, minute, hour].map((values) => [...new Set(values)].sort((a, b) => a - b));
  let shortest = Infinity;
  let first: number | undefined;
  let previous: number | undefined;
  // Every fire of one day, in order: at most 86,400 steps, and an every-second schedule stops at once.
  search: for (const h of hours!) {
    for (const m of minutes!) {
      for (const s of seconds!) {
        const t = h * 3600 + m * 60 + s;
        if (previous === undefined) first = t;
        else shortest = Math.min(shortest, t - previous);
        previous = t;
        if (shortest <= 1) break search;
      }
    }
  }
  if (first === undefined || previous === undefined) return undefined;
  shortest = Math.min(shortest, DAY - previous + first);
  const numeric = (values: readonly (number | string)[]): boolean => values.every((v) => typeof v === 'number');
  const everyDay = dayOfMonth.length >= 31 && numeric(dayOfMonth) && month.length >= 12 && dayOfWeek.length >= 7 && numeric(dayOfWeek);
  return { seconds: shortest, exact: everyDay };
}

/** `1m`, or `at least 1d` for an inexact interval. */
export function formatInterval(interval: SweepInterval): string {
  const text = formatDuration(interval.seconds * 1000);
  return interval.exact ? text : `at least ${text}`;
}
