import { describe, expect, it } from 'vitest';
import { createEngine, evaluate } from '../../src/engine/index.js';
import type { Policy } from '../../src/policy/types.js';
import { Ledger } from '../../src/ledger/index.js';
import { policy } from '../policy/fixtures.js';
import { MIN, NOW, session, spend, state } from './fixtures.js';

const CAP = policy(`
name: cap
when: { tokens.total: "> 100k" }
do: [ stop ]
`);
const TEAM = policy(`
name: team
scope: agent
when: { tokens.total: "> 100k" }
do: [ pause ]
`);

/** The same policy whose condition throws on one session (a bug in a condition, bad data). */
function throwing(p: Policy, onKey?: string): Policy {
  const boom = (key: string | undefined): void => {
    if (onKey === undefined || key === onKey) throw new Error(`condition exploded on ${key ?? 'an aggregate'}`);
  };
  return {
    ...p,
    name: `${p.name}-broken`,
    condition: {
      ...p.condition,
      holds: (c) => (boom(c.session?.key), p.condition.holds ? p.condition.holds(c) : p.condition.evaluate(c).matched),
      evaluate: (c) => (boom(c.session?.key), p.condition.evaluate(c)),
    },
  };
}

function fleet() {
  const ledger = new Ledger();
  const a = session('agent:a:one');
  const b = session('agent:a:two');
  spend(ledger, a, NOW - MIN, { input: 150_000 });
  spend(ledger, b, NOW - MIN, { input: 150_000 });
  return { ledger, sessions: [a, b] };
}

describe('a failing policy is contained', () => {
  it('skips only the policy that throws, for the rest of the evaluation, and reports it; the others decide as before', () => {
    const { ledger, sessions } = fleet();
    const broken = throwing(CAP, 'agent:a:two');
    const result = evaluate({ sessions, ledger, policies: [broken, CAP], state: state(), now: NOW, mode: 'enforce' });
    // The broken policy fired on agent:a:one before it threw on agent:a:two: that decision is dropped too.
    expect(result.decisions.map((d) => `${d.policy} ${d.targets[0]?.key}`)).toEqual(['cap agent:a:one', 'cap agent:a:two']);
    expect(result.errors).toEqual([{ policy: 'cap-broken', subject: 'session agent:a:two', message: 'condition exploded on agent:a:two' }]);
  });

  it('contains an aggregate policy that throws the same way, in the persistent engine too', () => {
    const { ledger, sessions } = fleet();
    const broken = throwing(TEAM);
    const policies = [CAP, broken, TEAM];
    const engine = createEngine(policies);
    for (const result of [
      evaluate({ sessions, ledger, policies, state: state(), now: NOW, mode: 'enforce' }),
      engine.evaluate({ sessions, ledger, policies, state: state(), now: NOW, mode: 'enforce' }),
    ]) {
      expect(result.decisions.map((d) => d.policy).sort()).toEqual(['cap', 'cap', 'team']);
      expect(result.errors).toEqual([{ policy: 'team-broken', subject: 'agents of policy team-broken', message: 'condition exploded on an aggregate' }]);
    }
  });

  it('reports nothing when every policy evaluates', () => {
    const { ledger, sessions } = fleet();
    expect(evaluate({ sessions, ledger, policies: [CAP, TEAM], state: state(), now: NOW, mode: 'enforce' }).errors).toEqual([]);
  });
});
