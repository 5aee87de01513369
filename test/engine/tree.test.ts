import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/policy/index.js';
import { evaluate } from '../../src/engine/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { FULL, ORIGIN, policy } from '../policy/fixtures.js';
import { MIN, NOW, session, spend, state } from './fixtures.js';
import { parse } from 'yaml';
import type { LedgerView, SessionUsageView } from '../../src/ledger/types.js';

const TREE = policy(`
name: fanout-tree
match: { key: "agent:main:boss*" }
tree: true
when: { tokens.total: "> 100k" }
do: [ kill ]
`);
const OWN = policy(`
name: own-cap
match: { key: "agent:main:boss*" }
when: { tokens.total: "> 100k" }
do: [ kill ]
`);

/** A parent that spent little, two children and a grandchild that spent a lot, and an unrelated session. */
function fanout() {
  const ledger = new Ledger();
  const boss = session('agent:main:boss');
  const kid1 = session('agent:main:subagent:k1', { parent: 'agent:main:boss' });
  const kid2 = session('agent:main:subagent:k2', { parent: 'agent:main:boss' });
  const grand = session('agent:main:subagent:g1', { parent: 'agent:main:subagent:k1' });
  const other = session('agent:main:subagent:x', { parent: 'agent:main:elsewhere' });
  spend(ledger, boss, NOW - 10 * MIN, { input: 10_000 });
  spend(ledger, kid1, NOW - 5 * MIN, { input: 40_000 });
  spend(ledger, kid2, NOW - 5 * MIN, { input: 30_000 });
  spend(ledger, grand, NOW - 2 * MIN, { input: 25_000 });
  spend(ledger, other, NOW - 2 * MIN, { input: 500_000 });
  return { ledger, sessions: [boss, kid1, kid2, grand, other] };
}

describe('tree: true (a session with the sessions it spawned)', () => {
  it('measures the parent together with its children and grandchildren, not other trees', () => {
    const { ledger, sessions } = fanout();
    const { decisions } = evaluate({ sessions, ledger, policies: [TREE, OWN], state: state(), now: NOW, mode: 'enforce' });
    // Own usage 10k is under the cap; the tree (10k + 40k + 30k + 25k = 105k) is over it. The unrelated 500k is not counted.
    expect(decisions.map((d) => d.policy)).toEqual(['fanout-tree']);
    expect(decisions[0]).toMatchObject({ subject: 'session agent:main:boss', reason: 'tokens.total 105,000 > 100,000 over the session and the 3 session(s) it spawned (policy fanout-tree)' });
    expect(decisions[0]!.targets.map((t) => t.key)).toEqual(['agent:main:boss']);
  });

  it('is not evaluated while a descendant’s usage is unknown (fail-safe)', () => {
    const { ledger, sessions } = fanout();
    const view: LedgerView = {
      session: (source, key, generation) => {
        const v = ledger.session(source, key, generation);
        return v && key === 'agent:main:subagent:g1' ? (Object.assign(Object.create(v), { known: false }) as SessionUsageView) : v;
      },
      entries: () => ledger.entries(),
    };
    expect(evaluate({ sessions, ledger: view, policies: [TREE], state: state(), now: NOW, mode: 'enforce' }).decisions).toEqual([]);
    expect(evaluate({ sessions, ledger, policies: [TREE], state: state(), now: NOW, mode: 'enforce' }).decisions).toHaveLength(1);
  });

  it('within a window counts only the tree’s usage inside it', () => {
    const { ledger, sessions } = fanout();
    const windowed = policy(`
name: fanout-hour
match: { key: "agent:main:boss*" }
tree: true
window: { every: day }
when: { tokens.total: "> 100k" }
do: [ stop ]
`);
    expect(evaluate({ sessions, ledger, policies: [windowed], state: state(), now: NOW, mode: 'enforce' }).decisions).toHaveLength(1);
    // Same tree a day later: nothing in the new window.
    expect(evaluate({ sessions, ledger, policies: [windowed], state: state(), now: NOW + 24 * 60 * MIN, mode: 'enforce' }).decisions).toEqual([]);
  });

  it('is refused outside session scope and with hard: true', () => {
    const agent = compilePolicy(parse('{ name: t, scope: agent, tree: true, when: { cost: "> $1" }, do: [ stop ] }'), ORIGIN, FULL);
    expect(agent.problems.map((p) => p.message).join('\n')).toMatch(/tree: true measures one session .* scope agent/);
    const hard = compilePolicy(parse('{ name: t, tree: true, hard: true, when: { tokens.total: "> 1k" }, do: [ stop ] }'), ORIGIN, FULL);
    expect(hard.problems.map((p) => p.message).join('\n')).toMatch(/cannot be combined with tree: true/);
  });
});
