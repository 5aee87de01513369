import { describe, expect, test } from 'vitest';
import { closest, editDistance, formatConfigError, type ConfigError } from '../../src/config/errors.js';

const base: ConfigError = { code: 'UNKNOWN_VALUE', file: 'policies/caps.yaml', line: 14, column: 7, path: 'policies[2] "idle-gpu" › do[0]', message: 'unknown action "kil"' };

describe('formatConfigError', () => {
  test.each([
    {
      name: 'the design example',
      error: { ...base, allowed: ['notify', 'stop', 'kill', 'pause', 'resume', 'cleanup', 'compact'], suggestion: 'kill' },
      text: 'policies/caps.yaml:14:7 policies[2] "idle-gpu" › do[0]: unknown action "kil"; expected one of: notify, stop, kill, pause, resume, cleanup, compact (did you mean "kill"?)',
    },
    { name: 'no allowed list', error: base, text: 'policies/caps.yaml:14:7 policies[2] "idle-gpu" › do[0]: unknown action "kil"' },
    {
      name: 'a message that already lists the allowed values does not repeat them',
      error: { ...base, message: 'found "x"; expected one of: session, agent, fleet', allowed: ['session', 'agent', 'fleet'] },
      text: 'policies/caps.yaml:14:7 policies[2] "idle-gpu" › do[0]: found "x"; expected one of: session, agent, fleet',
    },
    { name: 'a whole-file error has no position', error: { ...base, line: 0, column: 0, path: '', message: 'config file not found' }, text: 'policies/caps.yaml: config file not found' },
  ])('$name', ({ error, text }) => {
    expect(formatConfigError(error)).toBe(text);
  });
});

describe('closest', () => {
  test.each([
    ['kil', ['notify', 'stop', 'kill'], 'kill'],
    ['tokens.totl', ['tokens.total', 'tokens.input'], 'tokens.total'],
    ['ops-caht', ['ops-chat', 'ops-email'], 'ops-chat'],
    ['Enforce', ['enforce', 'dry-run'], 'enforce'],
    ['banana', ['notify', 'stop', 'kill'], undefined],
    ['kill', ['kill'], undefined],
  ] as const)('%s → %s', (found, allowed, expected) => {
    expect(closest(found, allowed)).toBe(expected);
  });

  test.each([
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
    ['same', 'same', 0],
  ])('editDistance(%s, %s) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});
