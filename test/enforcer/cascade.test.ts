import { describe, expect, it } from 'vitest';
import { cascadeReason, planBatch, stepsOf, type FleetView } from '../../src/enforcer/plan.js';
import type { Decision } from '../../src/domain/decision.js';
import type { Session } from '../../src/domain/session.js';
import type { ActionName } from '../../src/domain/action.js';
import { ACTION_NAMES } from '../../src/sources/source.js';
import { session } from '../engine/fixtures.js';

const boss = session('agent:main:boss');
const kid1 = session('agent:main:subagent:k1', { parent: 'agent:main:boss' });
const kid2 = session('agent:main:subagent:k2', { parent: 'agent:main:boss' });
const grand = session('agent:main:subagent:g1', { parent: 'agent:main:subagent:k1' });

function fleetOf(sessions: readonly Session[], known = true): FleetView {
  return {
    source: () => ({ type: 'demo', capabilities: new Set<ActionName>(ACTION_NAMES) }),
    synced: () => true,
    session: (_s, key) => sessions.find((s) => s.key === key),
    usageKnown: () => known,
    children: (source, key) => sessions.filter((s) => s.source === source && s.parent === key),
  };
}

function decision(action: 'stop' | 'kill' | 'pause', targets: readonly Session[] = [boss]): Decision {
  return {
    id: `p|${action}`,
    policy: 'fanout',
    kind: 'violation',
    scope: 'session',
    subject: 'session agent:main:boss',
    stateKey: 'p',
    targets: targets.map((t) => ({ source: t.source, key: t.key, generation: t.generation, agent: t.agent, main: t.main, active: t.active })),
    step: 0,
    episode: 1,
    actions: [{ action: 'notify', notifiers: 'all' }, { action }],
    reason: 'tokens.total 105,000 > 100,000 (policy fanout)',
    measurements: [],
    mode: 'enforce',
  };
}

const plan = (d: Decision, fleet: FleetView, options: { limit?: number; protect?: string } = {}) =>
  planBatch([d], { fleet, limits: [{ count: options.limit ?? 20 }], sessionsInScope: 10, isProtected: (k) => k === options.protect, allowProtected: () => false });

describe('stop and kill cascade to the sessions a target spawned', () => {
  it('a kill of the parent plans a kill of each child and grandchild, once, with the parent it came through', () => {
    const steps = stepsOf(decision('kill'), fleetOf([boss, kid1, kid2, grand]));
    expect(steps.map((s) => [s.action.action, s.target?.key, s.cascade?.parent])).toEqual([
      ['notify', undefined, undefined],
      ['kill', 'agent:main:boss', undefined],
      ['kill', 'agent:main:subagent:k1', 'agent:main:boss'],
      ['kill', 'agent:main:subagent:g1', 'agent:main:subagent:k1'],
      ['kill', 'agent:main:subagent:k2', 'agent:main:boss'],
    ]);
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
    expect(cascadeReason(steps[3]!, 'why')).toBe('because parent agent:main:subagent:k1 was killed (cascade from agent:main:boss): why');
    expect(cascadeReason(steps[2]!, 'why')).toBe('because parent agent:main:boss was killed: why');
  });

  it('a child that is also a direct target is acted on once, not twice', () => {
    const steps = stepsOf(decision('stop', [boss, kid1]), fleetOf([boss, kid1, grand]));
    expect(steps.filter((s) => s.target?.key === 'agent:main:subagent:k1')).toHaveLength(1);
    expect(steps.map((s) => s.target?.key).filter(Boolean)).toEqual(['agent:main:boss', 'agent:main:subagent:k1', 'agent:main:subagent:g1']);
  });

  it('pause does not cascade; a view that does not know who spawned what plans the target alone', () => {
    expect(stepsOf(decision('pause'), fleetOf([boss, kid1])).filter((s) => s.target)).toHaveLength(1);
    expect(stepsOf(decision('kill'), {}).filter((s) => s.target)).toHaveLength(1);
    expect(stepsOf(decision('kill')).filter((s) => s.target)).toHaveLength(1);
  });

  it('cascaded actions count toward the blast radius: over the limit nothing is done', () => {
    const result = plan(decision('kill'), fleetOf([boss, kid1, kid2, grand]), { limit: 3 });
    expect(result.blastRadius).toEqual({ planned: 4, limit: 3 });
    expect(result.steps.filter((s) => s.target).every((s) => s.verdict === 'refused')).toBe(true);
    expect(
      plan(decision('kill'), fleetOf([boss, kid1, kid2, grand]), { limit: 4 })
        .steps.filter((s) => s.target)
        .every((s) => s.verdict === 'act'),
    ).toBe(true);
  });

  it('a protected child is never killed by the cascade; its siblings are', () => {
    const result = plan(decision('kill'), fleetOf([boss, kid1, kid2]), { protect: 'agent:main:subagent:k2' });
    expect(result.steps.filter((s) => s.target).map((s) => [s.target?.key, s.verdict])).toEqual([
      ['agent:main:boss', 'act'],
      ['agent:main:subagent:k1', 'act'],
      ['agent:main:subagent:k2', 'refused'],
    ]);
  });

  it('a child whose own usage is not known yet is still reached (the decision was taken on the parent)', () => {
    const fleet = { ...fleetOf([boss, kid1]), usageKnown: (_s: string, key: string) => key === 'agent:main:boss' };
    expect(
      plan(decision('kill'), fleet)
        .steps.filter((s) => s.target)
        .map((s) => s.verdict),
    ).toEqual(['act', 'act']);
  });
});
