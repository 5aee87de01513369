import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compilePolicy } from '../../src/policy/index.js';
import { FULL, ORIGIN, policy, schemaValidator } from './fixtures.js';

// `notice` on an action: accepted only where the enforcer honours it (an action on a session), rejected clearly elsewhere.

describe('notice on an action', () => {
  it.each([
    ['a cleanup', '{ name: a, when: { idle: "> 1h" }, do: [ { cleanup: archive, notice: 1h } ] }', [{ action: 'cleanup', cleanup: 'archive', notice: 3_600_000 }]],
    [
      'a bare action written as a key',
      '{ name: a, when: { idle: "> 1h" }, do: [ notify, { kill: null, notice: 30m } ] }',
      [
        { action: 'notify', notifiers: 'all' },
        { action: 'kill', notice: 1_800_000 },
      ],
    ],
  ])('compiles on %s', (_label, yaml, actions) => {
    expect(schemaValidator()(parse(yaml))).toBe(true);
    expect(policy(yaml).actions).toEqual(actions);
  });

  it('compiles on an escalation step', () => {
    const p = policy('{ name: a, when: { tokens.total: "> 1k" }, do: [ stop ], escalate: [ { after: 5m, do: [ { pause: null, notice: 10m } ] } ] }');
    expect(p.escalate[0]!.actions).toEqual([{ action: 'pause', notice: 600_000 }]);
  });

  it.each([
    ['on notify', '{ notify: all, notice: 1h }', ['do', 0, 'notice'], /notify is sent at once and takes no notice/],
    ['that is not a duration', '{ cleanup: archive, notice: soon }', ['do', 0, 'notice'], /expected a duration/],
    ['of zero', '{ cleanup: archive, notice: 0s }', ['do', 0, 'notice'], /longer than zero/],
    ['alone', '{ notice: 1h }', ['do', 0], /expected the action "notice" delays beside it, e\.g\. \{ cleanup: archive, notice: 1h \}/],
  ])('is rejected %s, at the notice', (_label, item, path, message) => {
    const result = compilePolicy(parse(`{ name: a, when: { idle: "> 1h" }, do: [ ${item} ] }`), ORIGIN, FULL);
    expect(result.policy).toBeUndefined();
    expect(result.problems).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(message) as string }));
  });

  it('the schema still allows one action per item, notice or not', () => {
    const validate = schemaValidator();
    expect(validate(parse('{ name: a, when: { idle: "> 1h" }, do: [ { cleanup: archive, kill: null, notice: 1h } ] }'))).toBe(false);
    expect(validate(parse('{ name: a, when: { idle: "> 1h" }, do: [ { cleanup: archive, kill: null } ] }'))).toBe(false);
  });
});
