import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/index.js';
import { capPolicies, rulesOf, verdictFor } from '../../src/guard/verdicts.js';
import type { Hold } from '../../src/domain/decision.js';
import { NOW, session, spend } from '../engine/fixtures.js';
import { policy } from '../policy/fixtures.js';

const cap = policy('name: cap\nmatch: { key: "agent:a:*", exclude: { key: "agent:a:skip" } }\nwhen: { tokens.total: "> 40k" }\ndo: [ stop ]');
const hard = policy('name: hard-cost\nwhen: { cost: ">= $1" }\nhard: true\ndo: [ { notify: ops-chat }, pause ]');
const other = policy('name: idle\nwhen: { idle: "> 1h" }\ndo: [ stop ]');
const byModel = policy('name: by-model\nmatch: { model: "gpt-*" }\nwhen: { tokens.output: "> 1k" }\ndo: [ kill ]');
const notifyOnly = policy('name: warn-only\nwhen: { tokens.total: "> 1k" }\ndo: [ notify ]');
const dryRun = policy('name: trial\nmode: dry-run\nwhen: { tokens.total: "> 1k" }\ndo: [ stop ]');
const caps = capPolicies([cap, hard, other, byModel, notifyOnly, dryRun], 'enforce');
const none = (): boolean => false;

describe('capPolicies', () => {
  it('takes the session caps of enforcing policies that stop, kill or pause, with their first such action', () => {
    expect(caps.map((c) => c.wire)).toEqual([
      { policy: 'cap', metric: 'tokens.total', limit: 40_000, inclusive: false, hard: false, action: 'stop' },
      { policy: 'hard-cost', metric: 'cost', limit: 1, inclusive: true, hard: true, action: 'pause' },
      { policy: 'by-model', metric: 'tokens.output', limit: 1_000, inclusive: false, hard: false, action: 'kill' },
    ]);
    expect(capPolicies([dryRun], 'enforce')).toEqual([]);
    expect(capPolicies([cap], 'dry-run')).toEqual([]);
  });
});

describe('verdictFor', () => {
  const s = session('agent:a:loop');

  it('allowed, with the caps that match, the generation and the usage counted so far', () => {
    const ledger = new Ledger();
    spend(ledger, s, NOW - 1_000, { input: 1_000, output: 10, cost: 0.01 });
    const v = verdictFor({ session: s, usage: ledger.session('home', s.key, 'g1')!, caps, isProtected: none });
    expect(v).toMatchObject({ key: s.key, generation: 'g1', state: 'allowed', usage: { input: 1_000, output: 10, cost: 0.01 }, through: NOW - 1_000 });
    expect(v.caps.map((c) => c.policy)).toEqual(['cap', 'hard-cost']);
    expect(verdictFor({ session: session('agent:a:skip'), caps, isProtected: none }).caps.map((c) => c.policy)).toEqual(['hard-cost']);
  });

  it.each([
    [{ kind: 'archive', reason: 'pause: cost $26 > $25 (policy daily)' }, 'paused'],
    [{ kind: 'hold', reason: 'pause: requested by api' }, 'held'],
    [{ kind: 'archive', reason: 'kill: runtime 2h > 1h (policy long)' }, 'killed'],
    [{ kind: 'hold', reason: 'kill: requested by cli' }, 'killed'],
  ] as const)('a hold %j is %s, with the reason and how to resume', (h, state) => {
    const hold: Hold = { source: 'home', key: s.key, generation: 'g1', agent: 'a', by: 'api', at: NOW, ...h };
    const v = verdictFor({ session: s, hold, caps, isProtected: none });
    expect(v).toMatchObject({ state, since: NOW, reason: h.reason.replace(/^\w+: /, ''), resume: expect.stringContaining(`clawwarden sessions resume ${s.key}`) as string });
  });

  it('over-cap when the counted usage violates a hard cap; stopped for a stop of this generation', () => {
    const ledger = new Ledger();
    spend(ledger, s, NOW, { input: 100_000, cost: 1.5 });
    const usage = ledger.session('home', s.key, 'g1')!;
    expect(verdictFor({ session: s, usage, caps, isProtected: none })).toMatchObject({ state: 'over-cap', policy: 'hard-cost', reason: 'cost $1.50 >= $1.00 (policy hard-cost, hard)' });
    const stop = { at: NOW, generation: 'g1', reason: 'tokens.total 42,434 > 40,000 (policy cap)', policy: 'cap', by: 'policy' };
    expect(verdictFor({ session: s, stop, caps: [], isProtected: none })).toMatchObject({ state: 'stopped', since: NOW, policy: 'cap' });
    expect(verdictFor({ session: s, stop: { ...stop, generation: 'old' }, caps: [], isProtected: none }).state).toBe('allowed');
  });

  it('protected sessions get no caps but stops allowed by allowProtected', () => {
    const allowing = capPolicies([policy('name: guard-main\nallowProtected: true\nwhen: { tokens.total: "> 1M" }\ndo: [ stop ]'), cap], 'enforce');
    const v = verdictFor({ session: session('agent:a:main'), caps: allowing, isProtected: (k) => k.endsWith(':main') });
    expect(v.caps.map((c) => c.policy)).toEqual(['guard-main']);
  });
});

describe('rulesOf', () => {
  it('makes RegExp rules of caps matched by key and agent only, excluding protected keys', () => {
    const rules = rulesOf(caps, ['agent:*:main']);
    expect(rules.map((r) => r.cap.policy)).toEqual(['cap', 'hard-cost']);
    const [keyed] = rules;
    const test = (list: readonly string[] | undefined, value: string): boolean => (list ?? []).some((src) => new RegExp(src).test(value));
    expect(test(keyed?.keys, 'agent:a:internal-session-effects:skill-workshop-review_x')).toBe(true);
    expect(test(keyed?.keys, 'agent:b:x')).toBe(false);
    expect(test(keyed?.excludeKeys, 'agent:a:skip')).toBe(true);
    expect(test(keyed?.excludeKeys, 'agent:a:main')).toBe(true);
  });
});
