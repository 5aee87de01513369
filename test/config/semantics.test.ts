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

describe('policy semantics', () => {
  const policy = (body: string, schedule = ''): string => `${SOURCE}${schedule}policies:\n  - name: cap\n${body}`;
  const cases = [
    {
      name: 'a cooldown shorter than the sweep interval',
      config: policy('    when: { tokens.total: "> 200k" }\n    do: stop\n    cooldown: 30s\n'),
      warning: [
        'BELOW_SWEEP',
        '30s',
        'policies[0] "cap" › cooldown',
        'cooldown 30s is shorter than the time between sweeps (1m): it only spaces out repeats triggered by usage events; every sweep may act again',
      ],
    },
    {
      name: 'an escalation step sooner than the sweep interval',
      config: policy('    when: { tokens.total: "> 200k" }\n    do: stop\n    escalate:\n      - { after: 20s, do: kill }\n'),
      warning: [
        'BELOW_SWEEP',
        '20s',
        'policies[0] "cap" › escalate[0].after',
        'after 20s is shorter than the time between sweeps (1m): unless a usage event triggers an evaluation sooner, the step runs at the next sweep',
      ],
    },
    {
      name: 'a cooldown against a schedule that skips days',
      config: policy('    when: { tokens.total: "> 200k" }\n    do: stop\n    cooldown: 1h\n', 'schedule: "0 9 * * mon-fri"\n'),
      warning: ['BELOW_SWEEP', '1h', 'policies[0] "cap" › cooldown', 'cooldown 1h is shorter than the time between sweeps (at least 1d)'],
    },
    {
      name: 'a window over conditions that read no usage',
      config: policy('    window: { every: day }\n    when: { idle: "> 1h" }\n    do: stop\n'),
      warning: [
        'NO_EFFECT',
        '{ every',
        'policies[0] "cap" › window',
        'the window has no effect: it limits the usage that is summed, and no condition in "when" reads usage (tokens, cost, ratio, burn)',
      ],
    },
  ];
  test.each(cases)('warning: $name (the config still loads)', ({ config, warning }) => {
    const { config: loaded, errors, warnings } = load({ 'clawwarden.yaml': config });
    expect(errors).toEqual([]);
    expect(loaded!.policies).toHaveLength(1);
    const [code, marker, path, message] = warning;
    const before = config.slice(0, config.indexOf(marker!)).split('\n');
    expect(warnings!.map((w) => [w.code, w.line, w.column, w.path, w.message])).toEqual([[code, before.length, before.at(-1)!.length + 1, path, expect.stringContaining(message!)]]);
    expect(warnings![0]!.severity).toBe('warning');
    expect(warnings![0]!.frame).toContain('^');
  });

  test.each([
    { name: 'a cooldown as long as the sweep interval', config: policy('    when: { tokens.total: "> 200k" }\n    do: stop\n    cooldown: 1m\n') },
    {
      name: 'short steps with a fast schedule',
      config: policy('    when: { tokens.total: "> 200k" }\n    do: stop\n    cooldown: 30s\n    escalate:\n      - { after: 20s, do: kill }\n', 'schedule: "*/10 * * * * *"\n'),
    },
    // The engine sums a session's own usage within the window: a daily budget per session is a supported policy.
    { name: 'a window on a session-scope usage policy', config: policy('    window: { every: day, tz: UTC }\n    when: { cost: "> $5" }\n    do: pause\n') },
    { name: 'warn below 100%', config: policy('    when: { cost: "> $5" }\n    warn: 99.5%\n    do: pause\n') },
  ])('no warning: $name', ({ config }) => {
    const { errors, warnings } = load({ 'clawwarden.yaml': config });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('warnings are reported beside errors, not as errors', () => {
    const { errors, warnings } = load({ 'clawwarden.yaml': policy('    when: { tokens.total: "> 200k" }\n    do: stop\n    cooldown: 30s\n    warn: 120%\n') });
    expect(errors.map((e) => [e.code, e.path])).toEqual([['POLICY', 'policies[0] "cap" › warn']]);
    expect(warnings!.map((w) => [w.code, w.path])).toEqual([['BELOW_SWEEP', 'policies[0] "cap" › cooldown']]);
  });
});
