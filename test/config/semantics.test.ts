import { describe, expect, test } from 'vitest';
import { cronProblem, sweepInterval } from '../../src/config/cron.js';
import { MIN_SWEEP_SECONDS } from '../../src/config/limits.js';
import { load } from './fixture.js';

const SOURCE = 'sources:\n  - name: home\n    type: full\n';

describe('sweep schedules: at least MIN_SWEEP_SECONDS (2 s) between sweeps', () => {
  test('the minimum is 2 s', () => {
    expect(MIN_SWEEP_SECONDS).toBe(2);
  });

  test.each([
    { schedule: '* * * * * *', ok: false },
    { schedule: '*/1 * * * * *', ok: false },
    { schedule: '0,1 * * * * *', ok: false },
    { schedule: '0-59 * * * * *', ok: false },
    { schedule: '*/2 * * * * *', ok: true },
    { schedule: '*/5 * * * * *', ok: true },
    { schedule: '30 * * * * *', ok: true },
    { schedule: '* * * * *', ok: true },
    { schedule: '*/5 * * * *', ok: true },
    { schedule: '0 0 1 1 *', ok: true },
  ])('$schedule: $ok', ({ schedule, ok }) => {
    const { errors } = load({ 'clawwarden.yaml': `${SOURCE}schedule: "${schedule}"\n` });
    if (ok) {
      expect(errors).toEqual([]);
    } else {
      expect(errors.map((e) => [e.code, e.line, e.column, e.path])).toEqual([['BAD_CRON', 4, 11, 'schedule']]);
      expect(errors[0]!.message).toContain('sweeps must be at least 2 s apart');
    }
  });

  test('the message names the schedule, how far apart it sweeps, and the minimum', () => {
    expect(cronProblem('* * * * * *')).toBe('"* * * * * *" sweeps 1 s apart; sweeps must be at least 2 s apart (e.g. "*/2 * * * * *"), and a 5-field schedule (every minute at most) is always fine');
  });

  test.each([
    { schedule: '* * * * *', seconds: 60, exact: true },
    { schedule: '*/5 * * * * *', seconds: 5, exact: true },
    // 56 s, then 0 s of the next minute: 4 s.
    { schedule: '*/7 * * * * *', seconds: 4, exact: true },
    { schedule: '0,30 * * * *', seconds: 1800, exact: true },
    { schedule: '0 9,17 * * *', seconds: 8 * 3600, exact: true },
    { schedule: '0 9 * * *', seconds: 86_400, exact: true },
    { schedule: '0 9 * * mon-fri', seconds: 86_400, exact: false },
    { schedule: '0 0 1 1 *', seconds: 86_400, exact: false },
  ])('sweepInterval($schedule) = $seconds s', ({ schedule, seconds, exact }) => {
    expect(sweepInterval(schedule)).toEqual({ seconds, exact });
  });

  test('an invalid schedule has no interval', () => {
    expect(sweepInterval('every minute')).toBeUndefined();
  });
});
