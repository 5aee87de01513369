import { describe, expect, it } from 'vitest';
import { Stage } from '../../src/replay/stage.js';
import type { Session } from '../../src/domain/session.js';
import { configOf, MIN, T0 } from '../replay/fixtures.js';

// Planning with a notice, on the one decision path (engine + enforcer, as the daemon, `test` and replay run them).

const HOUR = 60 * MIN;
const IDLE = `  - name: idle-archive
    when: { idle: "> 2h" }
    do: [ { notify: ops }, { cleanup: archive, notice: 1h } ]
`;

function session(key: string, lastActivityAt: number, extra: Partial<Session> = {}): Session {
  return { source: 'home', key, generation: `${key}#1`, agent: key.split(':')[1]!, main: false, archived: false, active: false, startedAt: T0 - 10 * HOUR, lastActivityAt, ...extra };
}

function stageWith(policies: string, extra = ''): Stage {
  const stage = new Stage({ config: configOf(policies, extra), now: T0 });
  stage.put(session('agent:a:s1', T0 - 3 * HOUR));
  return stage;
}

const marksOf = (stage: Stage): string[] => [...stage.state.marks.values()].map((m) => `${m.decision.policy} ${m.action.action} ${m.target.key} ${new Date(m.due).toISOString()}`);
const journal = (stage: Stage, type: string): string[] => stage.journal.entries.filter((e) => e.type === type).map((e) => `${e.result ?? ''} ${e.session ?? ''} ${e.by ?? ''}`.trim());

describe('an action with a notice', () => {
  it('marks the session instead of acting, journals it and reports it with its due time', async () => {
    const stage = stageWith(IDLE);
    const batch = await stage.evaluate({ trigger: 'sweep' });
    expect(stage.performed).toEqual([]);
    expect(marksOf(stage)).toEqual([`idle-archive cleanup agent:a:s1 ${new Date(T0 + HOUR).toISOString()}`]);
    const marked = batch.outcomes.filter((o) => o.status === 'marked');
    expect(marked).toHaveLength(1);
    expect(marked[0]!.due).toBe(T0 + HOUR);
    expect(marked[0]!.detail).toMatch(/will clean up \(archive\) agent:a:s1 at .*unless unmarked \(clawwarden sessions unmark agent:a:s1\)/);
    expect(journal(stage, 'mark')).toEqual(['marked agent:a:s1 policy']);
    // Not recorded as done: the episode starts when the marked action is taken.
    expect(stage.state.episodes.size).toBe(0);
  });

  it('waits while the notice runs: later sweeps neither act nor mark again nor announce again', async () => {
    const stage = stageWith(IDLE);
    await stage.evaluate({ trigger: 'sweep' });
    stage.advance(T0 + 30 * MIN);
    const batch = await stage.evaluate({ trigger: 'sweep' });
    expect(batch.decided).toEqual([]);
    expect(batch.outcomes).toEqual([]);
    expect(stage.performed).toEqual([]);
    expect(journal(stage, 'mark')).toHaveLength(1);
    expect(stage.journal.entries.filter((e) => e.type === 'decision')).toHaveLength(1);
  });

  it('acts at the due time when the policy still matches, and the step is recorded from then', async () => {
    const stage = stageWith(IDLE);
    await stage.evaluate({ trigger: 'sweep' });
    stage.advance(T0 + HOUR);
    const batch = await stage.evaluate({ trigger: 'timer' });
    expect(stage.performed.map((p) => `${p.request.action}(${p.request.cleanup}) ${p.request.key}`)).toEqual(['cleanup(archive) agent:a:s1']);
    expect(batch.outcomes.map((o) => o.status)).toEqual(['done']);
    expect(stage.state.marks.size).toBe(0);
    expect([...stage.state.episodes.values()].map((e) => e.firedAt)).toEqual([T0 + HOUR]);
    expect(stage.journal.entries.filter((e) => e.type === 'decision').at(-1)?.reason).toMatch(/^notice ran out and the policy still matches: /);
    // Done once: a later sweep does nothing more.
    stage.advance(T0 + 2 * HOUR);
    expect((await stage.evaluate({ trigger: 'sweep' })).outcomes).toEqual([]);
  });

  it('drops the mark at the due time when the policy no longer matches, and does nothing', async () => {
    const stage = stageWith(IDLE);
    await stage.evaluate({ trigger: 'sweep' });
    stage.advance(T0 + 20 * MIN);
    stage.put(session('agent:a:s1', T0 + 20 * MIN));
    stage.advance(T0 + HOUR);
    const batch = await stage.evaluate({ trigger: 'timer' });
    expect(batch.outcomes).toEqual([]);
    expect(stage.performed).toEqual([]);
    expect(stage.state.marks.size).toBe(0);
    const dropped = stage.journal.entries.filter((e) => e.type === 'mark' && e.result === 'dropped');
    expect(dropped.map((e) => e.reason)).toEqual([expect.stringMatching(/mark dropped at its due time: policy idle-archive no longer matches it; did not archive agent:a:s1/)]);
    // Idle again later: the policy matches anew and gives a new notice, not an immediate action.
    stage.advance(T0 + 5 * HOUR);
    const again = await stage.evaluate({ trigger: 'sweep' });
    expect(again.outcomes.map((o) => o.status)).toEqual(['marked']);
    expect(stage.performed).toEqual([]);
  });

  it('keeps a due mark an evaluation of part of the fleet cannot judge (event-driven, one agent)', async () => {
    const stage = stageWith(IDLE);
    stage.put(session('agent:b:s2', T0));
    await stage.evaluate({ trigger: 'sweep' });
    stage.advance(T0 + HOUR);
    await stage.evaluate({ trigger: 'event', sessions: [stage.session('home', 'agent:b:s2')!] });
    expect(stage.state.marks.size).toBe(1);
  });

  it('unmark cancels it: journaled with who, never acted on, not marked again; the step is recorded', async () => {
    const stage = stageWith(IDLE);
    await stage.evaluate({ trigger: 'sweep' });
    stage.advance(T0 + 10 * MIN);
    const cancelled = await stage.enforcer.unmark('home', 'agent:a:s1', 'cli');
    expect(cancelled.map((m) => m.target.key)).toEqual(['agent:a:s1']);
    expect(stage.state.marks.size).toBe(0);
    expect(journal(stage, 'mark')).toEqual(['marked agent:a:s1 policy', 'cancelled agent:a:s1 cli']);
    expect(stage.journal.entries.at(-2)?.reason).toMatch(/mark cancelled by cli: would have archive agent:a:s1 at/);
    expect(stage.state.episodes.size).toBe(1);
    stage.advance(T0 + 2 * HOUR);
    const batch = await stage.evaluate({ trigger: 'sweep' });
    expect(batch.outcomes).toEqual([]);
    expect(stage.performed).toEqual([]);
    expect(await stage.enforcer.unmark('home', 'agent:a:s1', 'cli')).toEqual([]);
  });

  it('in observe mode reports "would mark" with the due time and never marks or acts', async () => {
    const stage = stageWith(IDLE.replace('    when:', '    mode: observe\n    when:'));
    const batch = await stage.evaluate({ trigger: 'sweep' });
    const outcome = batch.outcomes.find((o) => o.action === 'cleanup')!;
    expect(outcome.status).toBe('would');
    expect(outcome.due).toBe(T0 + HOUR);
    expect(outcome.detail).toMatch(/^would mark agent:a:s1: would clean up \(archive\) agent:a:s1 at /);
    expect(stage.state.marks.size).toBe(0);
    stage.advance(T0 + 2 * HOUR);
    await stage.evaluate({ trigger: 'sweep' });
    expect(stage.performed).toEqual([]);
  });

  it('is held back by the safety rules before marking: a protected session is never marked for cleanup', async () => {
    const stage = stageWith(IDLE, 'safety: { protect: ["agent:a:*"] }\n');
    const batch = await stage.evaluate({ trigger: 'sweep' });
    expect(batch.outcomes.map((o) => o.status)).toEqual(['refused']);
    expect(stage.state.marks.size).toBe(0);
  });

  it('re-checks the safety rules at the due time: a session protected meanwhile is not cleaned up', async () => {
    const stage = stageWith(IDLE);
    await stage.evaluate({ trigger: 'sweep' });
    stage.enforcer.configure(configOf(IDLE, 'safety: { protect: ["agent:a:*"] }\n'));
    stage.advance(T0 + HOUR);
    const batch = await stage.evaluate({ trigger: 'timer' });
    expect(batch.outcomes.map((o) => o.status)).toEqual(['refused']);
    expect(stage.performed).toEqual([]);
    expect(stage.state.marks.size).toBe(0);
  });

  it('on an escalation step: the ladder marks, then acts when the step is due and the notice has run out', async () => {
    const ladder = `  - name: cap
    when: { tokens.total: "> 1000" }
    do: [ stop ]
    escalate: [ { after: 10m, do: [ { kill: , notice: 30m } ] } ]
`;
    const stage = new Stage({ config: configOf(ladder), now: T0 });
    stage.put(session('agent:a:s1', T0, { active: true, runStartedAt: T0 }));
    stage.call({ source: 'home', key: 'agent:a:s1', generation: 'agent:a:s1#1', agent: 'a', id: 'c1', at: T0, input: 2000, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 });
    await stage.evaluate({ trigger: 'sweep' });
    expect(stage.performed.map((p) => p.request.action)).toEqual(['stop']);
    stage.advance(T0 + 10 * MIN);
    const marked = await stage.evaluate({ trigger: 'timer' });
    expect(marked.outcomes.map((o) => `${o.action} ${o.status}`)).toEqual(['kill marked']);
    expect(stage.performed.map((p) => p.request.action)).toEqual(['stop']);
    stage.advance(T0 + 40 * MIN);
    await stage.evaluate({ trigger: 'timer' });
    expect(stage.performed.map((p) => p.request.action)).toEqual(['stop', 'kill']);
    expect([...stage.state.episodes.values()].map((e) => e.stepDone)).toEqual([1]);
  });
});
