import { describe, expect, it } from 'vitest';
import { ACTION_NAMES, actionModules, actionTraits, countsTowardBlastRadius, isManualAction, MANUAL_ACTIONS, manualActionsIn, needsKnownUsage } from '../../src/actions/index.js';
import type { Decision, PolicyAction } from '../../src/domain/decision.js';
import type { Session } from '../../src/domain/session.js';
import { SESSION_STATES } from '../../src/domain/session-view.js';
import { planBatch, type FleetView } from '../../src/enforcer/plan.js';
import { protectionVeto } from '../../src/enforcer/safety.js';

describe('action traits', () => {
  it('every source action has its module’s traits, and nothing else has any', () => {
    expect(Object.keys(actionTraits)).toEqual([...ACTION_NAMES]);
    for (const m of actionModules) expect('traits' in m, m.name).toBe(m.capability !== undefined);
  });

  it('an operator requests stop, kill, pause and resume by key; cleanup has its own route and compact is for policies', () => {
    expect(MANUAL_ACTIONS).toEqual(['stop', 'kill', 'pause', 'resume']);
    expect(['cleanup', 'compact', 'notify', 'nope'].filter(isManualAction)).toEqual([]);
  });

  it('policies take kill, pause and cleanup only on known usage', () => {
    expect(ACTION_NAMES.filter(needsKnownUsage)).toEqual(['kill', 'pause', 'cleanup']);
  });

  it('exactly stop and kill reach the sessions a target spawned', () => {
    expect(ACTION_NAMES.filter((action) => actionTraits[action].cascades)).toEqual(['stop', 'kill']);
  });

  // The table the daemon served before the traits said it (domain/session-view.ts actionsFor).
  const BEFORE: Record<string, readonly string[]> = {
    running: ['stop', 'kill', 'pause'],
    idle: ['kill', 'pause'],
    stopped: ['kill', 'pause'],
    paused: ['resume'],
    held: ['resume'],
    killed: ['resume'],
    archived: ['resume'],
  };
  // A run is in progress in `running` and never in `idle` or `stopped` (sessionState); every other state can be either.
  const cases = SESSION_STATES.flatMap(
    (state) =>
      (state === 'running'
        ? [[state, true]]
        : state === 'idle' || state === 'stopped'
          ? [[state, false]]
          : [
              [state, false],
              [state, true],
            ]) as [typeof state, boolean][],
  );
  it.each(cases)('%s (run in progress: %s): the buttons served are the ones served before', (state, active) => {
    const expected = active && ['paused', 'held', 'killed'].includes(state) ? ['stop', ...BEFORE[state]!] : BEFORE[state]!;
    expect(manualActionsIn(state, active)).toEqual(expected);
  });

  it.each([
    ['stop', false, 'set allowProtected: true on the policy to let it stop protected sessions'],
    ['stop', true, undefined],
    ['resume', false, undefined],
    ['kill', true, 'policies never kill protected sessions'],
    ['pause', true, 'policies never pause protected sessions'],
    ['cleanup', true, 'policies never cleanup protected sessions'],
    ['compact', true, 'policies never compact protected sessions'],
  ] as const)('protection: a policy may %s a protected session (allowProtected %s) only as its trait says', (action, allowProtected, veto) => {
    const found = protectionVeto(action, allowProtected);
    if (veto === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(veto);
  });
});

describe('blast radius from the traits', () => {
  const session = (n: number): Session => ({ source: 'home', key: `agent:a:s${n}`, generation: `g${n}`, agent: 'a', main: false, archived: true, active: false });
  const sessions = [1, 2, 3].map(session);
  const fleet: FleetView = {
    source: () => ({ type: 'demo', capabilities: new Set(ACTION_NAMES) }),
    synced: () => true,
    session: (_source, key) => sessions.find((s) => s.key === key),
    usageKnown: () => true,
  };
  const decision = (action: PolicyAction): Decision => ({
    id: `d-${action.action}`,
    policy: 'p',
    kind: 'violation',
    scope: 'agent',
    subject: 'agent a',
    stateKey: 'p|a',
    targets: sessions.map((s) => ({ source: s.source, key: s.key, generation: s.generation, agent: s.agent, main: s.main, active: s.active })),
    step: 0,
    episode: 1,
    actions: [action],
    reason: 'test',
    measurements: [],
    mode: 'enforce',
  });
  const plan = (action: PolicyAction) => planBatch([decision(action)], { fleet, limits: [{ count: 2 }], sessionsInScope: 3, isProtected: () => false, allowProtected: () => false });

  it('three pauses past a limit of two are refused whole', () => {
    const { steps, blastRadius } = plan({ action: 'pause' });
    expect(blastRadius).toEqual({ planned: 3, limit: 2 });
    expect(steps.map((s) => s.verdict)).toEqual(['refused', 'refused', 'refused']);
  });

  it('changed on purpose: a policy resume gives work back and does not count toward safety.maxActionsPerSweep', () => {
    expect(countsTowardBlastRadius('resume')).toBe(false);
    const { steps, blastRadius } = plan({ action: 'resume' });
    expect(blastRadius).toBeUndefined();
    expect(steps.map((s) => s.verdict)).toEqual(['act', 'act', 'act']);
  });
});
