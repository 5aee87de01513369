import { describe, expect, it } from 'vitest';
import { budgetsFor, evaluate } from '../../src/engine/index.js';
import type { EvaluationInput } from '../../src/engine/types.js';
import { Ledger } from '../../src/ledger/index.js';
import { policy } from '../policy/fixtures.js';
import { H, MIN, NOW, session, spend, state } from './fixtures.js';

const CAP = policy(`
name: session-token-cap
when: { tokens.total: "> 200k" }
do: [ { notify: ops-chat }, stop ]
escalate:
  - { after: 5m, if: active, do: kill }
  - { after: 15m, do: [ { cleanup: delete } ] }
`);

function run(over: Partial<EvaluationInput>) {
  return evaluate({ sessions: [], ledger: new Ledger(), policies: [CAP], state: state(), now: NOW, mode: 'enforce', ...over });
}

function loopFleet(active = true) {
  const ledger = new Ledger();
  const loop = session('agent:main:loop', { active, generation: 'gen7' });
  const calm = session('agent:main:calm');
  spend(ledger, loop, NOW - 10 * MIN, { input: 200_000, output: 31_402 });
  spend(ledger, calm, NOW - 10 * MIN, { input: 1000, output: 100 });
  return { ledger, sessions: [loop, calm], loop };
}

describe('session scope', () => {
  it('fires step 0 with a deterministic id, the targets and the measured reason', () => {
    const { ledger, sessions } = loopFleet();
    const { decisions } = run({ ledger, sessions });
    expect(decisions).toEqual([
      {
        id: 'session-token-cap|home|agent:main:loop|gen7|e1|s0',
        policy: 'session-token-cap',
        kind: 'violation',
        scope: 'session',
        subject: 'session agent:main:loop',
        stateKey: 'session-token-cap|home|agent:main:loop|gen7',
        targets: [{ source: 'home', key: 'agent:main:loop', generation: 'gen7', agent: 'a', main: false, active: true }],
        step: 0,
        episode: 1,
        actions: [{ action: 'notify', notifiers: ['ops-chat'] }, { action: 'stop' }],
        reason: 'tokens.total 231,402 > 200,000 (policy session-token-cap)',
        measurements: [{ metric: 'tokens.total', value: 231_402, op: '>', threshold: 200_000, text: 'tokens.total 231,402 > 200,000', ratio: 231_402 / 200_000 }],
        mode: 'enforce',
      },
    ]);
    expect(run({ ledger, sessions })).toEqual(run({ ledger, sessions }));
  });

  it('acts once per generation; a reset session (new generation) is a fresh target', () => {
    const { ledger, sessions, loop } = loopFleet();
    const episodes = { 'session-token-cap|home|agent:main:loop|gen7': { episode: 1, firedAt: NOW - MIN, stepDone: 0 } };
    expect(run({ ledger, sessions, state: state({ episodes }) }).decisions).toEqual([]);
    const reset = { ...loop, generation: 'gen8' };
    spend(ledger, reset, NOW - MIN, { input: 250_000 });
    const { decisions } = run({ ledger, sessions: [reset], state: state({ episodes }) });
    expect(decisions.map((d) => d.id)).toEqual(['session-token-cap|home|agent:main:loop|gen8|e1|s0']);
    expect(decisions[0]!.targets[0]!.generation).toBe('gen8');
  });

  it.each([
    ['before the grace period', 4 * MIN, true, 0, []],
    ['after it, still active', 5 * MIN, true, 0, ['e1|s1:escalation:kill']],
    ['after it, no longer active', 10 * MIN, false, 0, []],
    ['second step without if: active', 15 * MIN, false, 1, ['e1|s2:escalation:cleanup']],
    ['second step not yet due', 14 * MIN, false, 1, []],
    ['ladder done', 60 * MIN, true, 2, []],
  ])('escalation %s', (_name, elapsed, active, stepDone, want) => {
    const { ledger, sessions } = loopFleet(active);
    const episodes = { 'session-token-cap|home|agent:main:loop|gen7': { episode: 1, firedAt: NOW - elapsed, stepDone } };
    const { decisions } = run({ ledger, sessions, state: state({ episodes }) });
    expect(decisions.map((d) => `${d.id.split('|').slice(-2).join('|')}:${d.kind}:${d.actions.map((a) => a.action).join(',')}`)).toEqual(want);
    if (want.length > 0) expect(decisions[0]!.reason).toMatch(/^tokens.total 231,402 > 200,000; still so (5m|15m) after the first action/);
  });

  it.each([
    ['cooldown not over', { cooldownUntil: NOW + 1 }, []],
    ['cooldown over: a new episode', { cooldownUntil: NOW }, ['|e3|s0']],
    ['cooldown from the policy, not over', {}, []],
  ])('cooldown: %s', (_name, extra, want) => {
    const p = policy(`{ name: cap, when: { tokens.total: "> 200k" }, do: stop, cooldown: 30m }`);
    const { ledger, sessions } = loopFleet();
    const episodes = { 'cap|home|agent:main:loop|gen7': { episode: 2, firedAt: NOW - 10 * MIN, stepDone: 0, ...extra } };
    const { decisions } = run({ ledger, sessions, policies: [p], state: state({ episodes }) });
    expect(decisions.map((d) => d.id.slice(d.id.lastIndexOf('|e')))).toEqual(want);
  });

  it('the policy cooldown counts from firedAt', () => {
    const p = policy(`{ name: cap, when: { tokens.total: "> 200k" }, do: stop, cooldown: 30m }`);
    const { ledger, sessions } = loopFleet();
    const episodes = { 'cap|home|agent:main:loop|gen7': { episode: 1, firedAt: NOW - 30 * MIN, stepDone: 0 } };
    expect(run({ ledger, sessions, policies: [p], state: state({ episodes }) }).decisions.map((d) => d.episode)).toEqual([2]);
  });

  it('a policy mode overrides the global mode', () => {
    const p = policy(`{ name: cap, mode: dry-run, when: { tokens.total: "> 200k" }, do: stop }`);
    const { ledger, sessions } = loopFleet();
    expect(run({ ledger, sessions, policies: [p, CAP] }).decisions.map((d) => `${d.policy}:${d.mode}`)).toEqual(['cap:dry-run', 'session-token-cap:enforce']);
    expect(run({ ledger, sessions, mode: 'dry-run' }).decisions[0]!.mode).toBe('dry-run');
  });

  it('never fires on unknown usage, and says so in notes', () => {
    const { ledger, sessions } = loopFleet();
    ledger.markUnknown('home');
    const result = run({ ledger, sessions });
    expect(result.decisions).toEqual([]);
    expect(result.notes).toEqual(['policy session-token-cap: 2 session(s) not evaluated on usage: not known yet']);
    expect(run({ ledger: new Ledger(), sessions }).decisions).toEqual([]);
  });

  it('a windowed session policy counts usage within the window and keys its state by window', () => {
    const p = policy(`{ name: daily-session, window: { every: day, tz: UTC }, when: { cost: "> $5" }, do: pause }`);
    const ledger = new Ledger();
    const s = session('agent:a:w');
    spend(ledger, s, Date.parse('2026-03-09T20:00:00Z'), { cost: 50 });
    spend(ledger, s, NOW - MIN, { cost: 3 });
    expect(run({ ledger, sessions: [s], policies: [p] }).decisions).toEqual([]);
    spend(ledger, s, NOW - 30_000, { cost: 3 });
    const [d] = run({ ledger, sessions: [s], policies: [p] }).decisions;
    const start = Date.parse('2026-03-10T00:00:00Z');
    expect(d).toMatchObject({ id: `daily-session|home|agent:a:w|g1|${start}|e1|s0`, reason: 'cost $6.00 > $5.00 (policy daily-session)', window: { start, end: start + 24 * H } });
  });

  it('works with a hand-made policy whose matcher is a plain function', () => {
    const { ledger, sessions } = loopFleet();
    const p = { ...CAP, name: 'plain', matches: (s: { key: string }) => s.key.endsWith('loop'), escalate: [] };
    expect(run({ ledger, sessions, policies: [p] }).decisions.map((d) => d.subject)).toEqual(['session agent:main:loop']);
  });

  it('respects match', () => {
    const p = policy(`{ name: cap, match: { agent: "b*" }, when: { tokens.total: "> 200k" }, do: stop }`);
    const { ledger, sessions } = loopFleet();
    expect(run({ ledger, sessions, policies: [p] }).decisions).toEqual([]);
  });
});

describe('warn', () => {
  const p = policy(`{ name: spend, when: { cost: "> $25" }, warn: 80%, do: [ { notify: ops-email }, pause ] }`);
  const setup = (cost: number) => {
    const ledger = new Ledger();
    const s = session('agent:a:x');
    spend(ledger, s, NOW - MIN, { cost });
    return { ledger, sessions: [s] };
  };

  it('warns once at the soft budget with the policy notify actions', () => {
    const { ledger, sessions } = setup(21);
    const [d] = run({ ledger, sessions, policies: [p] }).decisions;
    expect(d).toMatchObject({ id: 'spend|home|agent:a:x|g1|warn', kind: 'warn', actions: [{ action: 'notify', notifiers: ['ops-email'] }] });
    expect(d!.reason).toBe('cost $21.00 > $25.00 — 84% of the budget, warning at 80% (policy spend)');
    expect(run({ ledger, sessions, policies: [p], state: state({ warned: [d!.id] }) }).decisions).toEqual([]);
  });

  it.each([
    ['below the soft budget', 19, []],
    ['over the budget: a violation, not a warning', 26, ['violation']],
  ])('%s', (_name, cost, kinds) => {
    const { ledger, sessions } = setup(cost);
    expect(run({ ledger, sessions, policies: [p] }).decisions.map((d) => d.kind)).toEqual(kinds);
  });

  it('notifies all notifiers when the policy has no notify action', () => {
    const q = policy(`{ name: q, when: { cost: "> $25" }, warn: 80%, do: stop }`);
    const { ledger, sessions } = setup(21);
    expect(run({ ledger, sessions, policies: [q] }).decisions[0]!.actions).toEqual([{ action: 'notify', notifiers: 'all' }]);
  });
});

describe('agent and fleet scope', () => {
  const daily = policy(`
name: team-daily-budget
scope: agent
window: { every: day, at: "00:00", tz: Europe/Berlin }
when: { cost: "> $25" }
warn: 80%
do: [ notify, pause ]
`);
  // 2026-03-10 in Berlin (UTC+1) starts at 2026-03-09T23:00Z.
  const DAY_START = Date.parse('2026-03-09T23:00:00Z');

  function fleet() {
    const ledger = new Ledger();
    const a1 = session('agent:a:1');
    const a2 = session('agent:a:2', { active: true });
    const gone = session('agent:a:gone');
    const b1 = session('agent:b:1', { agent: 'b' });
    spend(ledger, a1, DAY_START + H, { cost: 10 });
    spend(ledger, gone, DAY_START + 2 * H, { cost: 10 });
    spend(ledger, a2, NOW - MIN, { cost: 6 });
    spend(ledger, a1, DAY_START - H, { cost: 100 });
    spend(ledger, b1, NOW - MIN, { cost: 21 });
    return { ledger, sessions: [a1, a2, b1] };
  }

  it('sums every ledger entry of the agent within the window, targets its current sessions', () => {
    const { ledger, sessions } = fleet();
    const result = run({ ledger, sessions, policies: [daily] });
    const violation = result.decisions.find((d) => d.kind === 'violation')!;
    expect(violation).toMatchObject({
      id: `team-daily-budget|home|agent:a|${DAY_START}|e1|s0`,
      scope: 'agent',
      subject: 'agent a',
      window: { start: DAY_START, end: DAY_START + 24 * H },
      reason: 'cost $26.00 > $25.00 (policy team-daily-budget)',
      actions: [{ action: 'notify', notifiers: 'all' }, { action: 'pause' }],
    });
    expect(violation.targets.map((t) => t.key)).toEqual(['agent:a:1', 'agent:a:2']);
    const warn = result.decisions.find((d) => d.kind === 'warn')!;
    expect(warn.subject).toBe('agent b');
    expect(result.aggregates.map((a) => [a.subject, Math.round(a.ratio * 100), a.warnAt])).toEqual([
      ['agent a', 104, 0.8],
      ['agent b', 84, 0.8],
    ]);
  });

  it('starts over when the window resets', () => {
    const { ledger, sessions } = fleet();
    const tomorrow = DAY_START + 24 * H + MIN;
    const result = run({ ledger, sessions, policies: [daily], now: tomorrow });
    expect(result.decisions).toEqual([]);
    expect(result.aggregates.every((a) => a.ratio === 0)).toBe(true);
  });

  it('fleet scope sums everything into one subject', () => {
    const p = policy(`{ name: fleet-cap, scope: fleet, window: { every: day, tz: Europe/Berlin }, when: { cost: "> $40" }, do: notify }`);
    const { ledger, sessions } = fleet();
    const [d] = run({ ledger, sessions, policies: [p] }).decisions;
    expect(d).toMatchObject({ id: `fleet-cap|fleet|${DAY_START}|e1|s0`, subject: 'fleet', reason: 'cost $47.00 > $40.00 (policy fleet-cap)' });
    expect(d!.targets).toHaveLength(3);
  });

  it('does not act on an aggregate while a source re-syncs', () => {
    const { ledger, sessions } = fleet();
    ledger.markUnknown('home');
    const result = run({ ledger, sessions, policies: [daily] });
    expect(result.decisions).toEqual([]);
    expect(result.notes[0]).toMatch(/agent a usage is not known yet/);
  });

  it('escalates an aggregate only while a target is active', () => {
    const p = policy(`{ name: agent-cap, scope: agent, when: { cost: "> $25" }, do: notify, escalate: [ { after: 10m, if: active, do: stop } ] }`);
    const { ledger, sessions } = fleet();
    const key = 'agent-cap|home|agent:a';
    const episodes = { [key]: { episode: 1, firedAt: NOW - 11 * MIN, stepDone: 0 } };
    expect(run({ ledger, sessions, policies: [p], state: state({ episodes }) }).decisions.map((d) => d.id)).toEqual([`${key}|e1|s1`]);
    const idle = sessions.map((s) => ({ ...s, active: false }));
    expect(run({ ledger, sessions: idle, policies: [p], state: state({ episodes }) }).decisions).toEqual([]);
  });
});

describe('release', () => {
  it('resumes holds whose window has reset, and only those', () => {
    const s = session('agent:a:main', { main: true });
    const holds = [
      { source: 'home', key: 'agent:a:main', generation: 'g1', agent: 'a', kind: 'hold' as const, policy: 'team-daily-budget', by: 'policy', reason: 'cost $26.00 > $25.00', at: NOW - H, until: NOW },
      { source: 'home', key: 'agent:a:2', generation: 'g1', agent: 'a', kind: 'archive' as const, policy: 'team-daily-budget', by: 'policy', reason: 'x', at: NOW - H, until: NOW + 1 },
      { source: 'home', key: 'agent:a:3', generation: 'g1', agent: 'a', kind: 'archive' as const, by: 'api', reason: 'manual', at: NOW - H },
    ];
    const { decisions } = run({ sessions: [s], policies: [], state: state({ holds }) });
    expect(decisions).toEqual([
      expect.objectContaining({
        id: `team-daily-budget|home|agent:a:main|g1|release|${NOW}`,
        kind: 'release',
        actions: [{ action: 'resume' }],
        targets: [{ source: 'home', key: 'agent:a:main', generation: 'g1', agent: 'a', main: true, active: false }],
        reason: 'the budget window of policy team-daily-budget has reset; releasing the hold placed for: cost $26.00 > $25.00',
      }),
    ]);
  });

  it('resumes a session held as abandoned (idle.human) once a person writes to it, and never a budget hold', () => {
    const abandoned = policy(`{ name: abandoned, when: { all: [ { idle.human: "> 3d" }, { active: true } ] }, do: pause }`);
    const budget = policy(`{ name: budget, when: { cost: "> $25" }, do: pause }`);
    const held = (key: string, by: string, at: number) => ({ source: 'home', key, generation: 'g1', agent: 'a', kind: 'hold' as const, policy: by, by: 'policy', reason: 'x', at });
    const holds = [held('agent:a:main', 'abandoned', NOW - H), held('agent:b:main', 'budget', NOW - H), held('agent:c:main', 'abandoned', NOW - H)];
    const sessions = [
      session('agent:a:main', { main: true, agent: 'a', lastHumanAt: NOW - MIN }),
      session('agent:b:main', { main: true, agent: 'b', lastHumanAt: NOW - MIN }),
      // A person wrote before the hold, not since: still abandoned.
      session('agent:c:main', { main: true, agent: 'c', lastHumanAt: NOW - 2 * H }),
    ];
    const { decisions } = run({ sessions, policies: [abandoned, budget], state: state({ holds }) });
    expect(decisions.filter((d) => d.kind === 'release')).toEqual([
      expect.objectContaining({
        id: `abandoned|home|agent:a:main|g1|release|human|${NOW - MIN}`,
        actions: [{ action: 'resume' }],
        reason: `a person wrote to the session at ${new Date(NOW - MIN).toISOString()}, after policy abandoned held it as abandoned; releasing the hold placed for: x`,
      }),
    ]);
  });

  it('a held session matches state: held', () => {
    const p = policy(`{ name: held-long, when: { state: held }, do: notify }`);
    const s = session('agent:a:main', { main: true });
    const holds = [{ source: 'home', key: 'agent:a:main', generation: 'g1', agent: 'a', kind: 'hold' as const, by: 'api', reason: 'manual', at: NOW }];
    expect(run({ sessions: [s], policies: [p], state: state({ holds }) }).decisions.map((d) => d.policy)).toEqual(['held-long']);
    expect(run({ sessions: [s], policies: [p] }).decisions).toEqual([]);
  });
});

describe('budgetsFor', () => {
  it('gives the session-scope budget bars of a session', () => {
    const { ledger, sessions } = loopFleet();
    const idle = policy(`{ name: idle, when: { idle: "> 1h" }, do: stop }`);
    const agent = policy(`{ name: agent, scope: agent, when: { cost: "> $1" }, do: stop }`);
    const warned = policy(`{ name: warned, when: { tokens.input: "> 400k" }, warn: 90%, do: stop }`);
    const uses = budgetsFor(sessions[0]!, ledger, [CAP, idle, agent, warned], NOW);
    expect(uses.map((u) => [u.policy, Math.round(u.ratio * 1000) / 1000, u.warnAt])).toEqual([
      ['session-token-cap', 1.157, undefined],
      ['warned', 0.5, 0.9],
    ]);
    // An active session is not idle; the calm one has been idle since its last activity.
    expect(budgetsFor(sessions[1]!, ledger, [idle], NOW + 2 * H)[0]!.ratio).toBeCloseTo(121 / 60, 3);
  });
});
