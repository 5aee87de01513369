import { describe, expect, test } from 'vitest';
import { replay } from '../../src/replay/replay.js';
import { replayHtml } from '../../src/replay/html.js';
import { configOf, MIN, T0, timelineOf, type CallSpec } from './fixtures.js';

/** `n` calls of one run, every half minute from `start`, each `input` + 1,000 out and $0.10. */
function run(start: number, n: number, id: string, input = 19_000): CallSpec[] {
  return Array.from({ length: n }, (_, i) => [start + i * 0.5, input, 1_000, 0.1, id] as CallSpec);
}

const CAP = `  - name: cap
    when: { tokens.total: "> 100k" }
    do: [ notify, stop ]
`;

describe('replay', () => {
  test('a cap stops a session at the call that crosses it; the rest of that run is saved; a smaller session is left alone', async () => {
    const report = await replay({
      config: configOf(CAP),
      timeline: timelineOf([
        { key: 'agent:backend:big', calls: run(60, 10, 'r1') },
        { key: 'agent:backend:small', calls: run(30, 2, 's1') },
      ]),
    });
    expect(report.actions).toEqual([
      {
        policy: 'cap',
        session: 'agent:backend:big',
        agent: 'backend',
        source: 'home',
        action: 'stop',
        at: new Date(T0 + 62.5 * MIN).toISOString(),
        kind: 'violation',
        step: 0,
        result: 'done',
        reason: 'tokens.total 120,000 > 100,000 (policy cap)',
        measurements: [{ metric: 'tokens.total', value: 120_000, op: '>', threshold: 100_000, text: 'tokens.total 120,000 > 100,000' }],
        savedTokens: 80_000,
        savedCost: 0.4,
        savedCalls: 4,
      },
    ]);
    expect(report.totals).toMatchObject({ sessions: 2, calls: 12, tokens: 240_000, actions: 1, savedTokens: 80_000, savedCost: 0.4 });
    expect(report.policies).toEqual([{ policy: 'cap', mode: 'enforce', actions: 1, notifications: 1, noops: 0, refused: 0, sessions: 1, savedTokens: 80_000, savedCost: 0.4, falsePositives: 0 }]);
  });

  test('names as a gap a policy whose condition the history cannot measure (idle.human), and never acts through it', async () => {
    const config = configOf(`  - name: abandoned
    when: { any: [ { idle.human: "> 1h" }, { tokens.total: "> 10M" } ] }
    do: [ pause ]
${CAP}`);
    const report = await replay({ config, timeline: timelineOf([{ key: 'agent:backend:big', calls: run(60, 10, 'r1') }]) });
    expect(report.gaps).toEqual([
      {
        kind: 'unmeasured',
        detail:
          'policy abandoned uses idle.human (time since a person last wrote to the session): the history holds model calls, not who prompted them; it never matches through it in this replay, while the daemon measures it live',
      },
    ]);
    expect(report.actions.map((a) => `${a.policy} ${a.action}`)).toEqual(['cap stop']);
  });

  test('a stop saves only its run: the next run (a new message) is spent, and without a cooldown it is not stopped again', async () => {
    const report = await replay({ config: configOf(CAP), timeline: timelineOf([{ key: 'agent:backend:chat', calls: [...run(60, 8, 'r1'), ...run(120, 3, 'r2')] }]) });
    expect(report.actions.map((a) => [a.action, a.savedCalls])).toEqual([['stop', 2]]);
    expect(report.totals.savedTokens).toBe(40_000);
  });

  test('pause prevents every later call of the session; kill too; observe policies are replayed as if enforced', async () => {
    const config = configOf(`  - name: lean
    mode: dry-run
    when: { tokens.input: "> 50k" }
    do: [ pause ]
`);
    const report = await replay({ config, timeline: timelineOf([{ key: 'agent:research:scan', calls: [...run(60, 4, 'r1'), ...run(300, 4, 'r2')] }]) });
    expect(report.actions).toHaveLength(1);
    expect(report.actions[0]).toMatchObject({ action: 'pause', savedCalls: 5, savedTokens: 100_000 });
    expect(report.policies[0]).toMatchObject({ policy: 'lean', mode: 'observe', actions: 1 });
  });

  test('a run that ended by itself right after a stop, having spent little more, is a likely false positive', async () => {
    const config = configOf(`  - name: cap
    when: { tokens.total: "> 100k" }
    do: [ stop ]
`);
    const calls: CallSpec[] = [...run(60, 6, 'r1'), [63, 1_000, 100, 0.01, 'r1']];
    const report = await replay({ config, timeline: timelineOf([{ key: 'agent:a:b', calls }]) });
    expect(report.actions[0]).toMatchObject({ action: 'stop', savedCalls: 1, falsePositive: 'the run ended by itself 30s later, after 1,100 more tokens' });
    expect(report.policies[0]!.falsePositives).toBe(1);
  });

  test('an escalation ladder runs on its timer: a session still active five minutes after the stop is killed', async () => {
    const config = configOf(`  - name: cap
    when: { tokens.total: "> 100k" }
    do: [ stop ]
    escalate: [ { after: 5m, if: active, do: kill } ]
`);
    // The stop ends run r1; a new run starts two minutes later and is still going five minutes after the stop.
    const r2 = Array.from({ length: 20 }, (_, i) => [65 + i * 0.7, 19_000, 1_000, 0.1, 'r2'] as CallSpec);
    const report = await replay({ config, timeline: timelineOf([{ key: 'agent:a:loop', calls: [...run(60, 8, 'r1'), ...r2] }]) });
    expect(report.actions.map((a) => [a.action, a.kind, a.at])).toEqual([
      ['stop', 'violation', new Date(T0 + 62.5 * MIN).toISOString()],
      ['kill', 'escalation', new Date(T0 + (62.5 + 5) * MIN + 5).toISOString()],
    ]);
    // No call lands on the due time: the timer takes the step, and prevents the rest of r2 (calls after 67.1 min).
    expect(report.actions[1]!.savedCalls).toBe(16);
  });

  test('a notice: the mark acts at exactly its due time, between sweeps, not at the next sweep or the next call', async () => {
    const config = configOf(
      `  - name: cap
    when: { tokens.total: "> 100k" }
    do: [ { cleanup: archive, notice: 1h } ]
`,
      'schedule: "*/15 * * * *"\n',
    );
    // Marked at the call that crosses the cap (62.5 min); due at 122.5 min, which no quarter-hour sweep and no call hits.
    const timeline = timelineOf([{ key: 'agent:backend:big', calls: [...run(60, 10, 'r1'), ...run(125, 4, 'r2'), ...run(200, 2, 'r3')] }]);
    const report = await replay({ config, timeline });
    expect(report.actions.map((a) => [a.action, a.result, a.at])).toEqual([
      ['cleanup(archive)', 'marked', new Date(T0 + 62.5 * MIN).toISOString()],
      ['cleanup(archive)', 'done', new Date(T0 + 122.5 * MIN).toISOString()],
    ]);
    // The notice let the rest of r1 run; the archive prevents r2 and r3.
    expect(report.actions[1]!.savedCalls).toBe(6);
    expect(JSON.stringify(await replay({ config, timeline }))).toBe(JSON.stringify(report));
  });

  test('a notice whose policy no longer matches at due time: the mark is dropped then and nothing is done; a later match marks anew', async () => {
    const config = configOf(
      `  - name: idle
    when: { idle: "> 30m" }
    do: [ { cleanup: archive, notice: 50m } ]
`,
      'schedule: "*/15 * * * *"\n',
    );
    // Both idle from 10 min: marked at the 45 min sweep, due at 95 min. "again" is used at 70 min, so at 95 min it is
    // idle 25m and the policy no longer matches; idle past 30m again at 100 min, it is marked at the 105 min sweep.
    const report = await replay({
      config,
      timeline: timelineOf(
        [
          { key: 'agent:a:quiet', calls: [[10, 1_000, 100, 0.01, 'q1']] },
          {
            key: 'agent:a:again',
            calls: [
              [10, 1_000, 100, 0.01, 'g1'],
              [70, 1_000, 100, 0.01, 'g2'],
            ],
          },
        ],
        0,
        150,
      ),
    });
    expect(report.actions.map((a) => [a.session, a.result, a.at])).toEqual([
      ['agent:a:quiet', 'marked', new Date(T0 + 45 * MIN).toISOString()],
      ['agent:a:again', 'marked', new Date(T0 + 45 * MIN).toISOString()],
      ['agent:a:quiet', 'done', new Date(T0 + 95 * MIN).toISOString()],
      ['agent:a:again', 'marked', new Date(T0 + 105 * MIN).toISOString()],
    ]);
  });

  test('idle cleanup acts at the first sweep after the threshold, and names a session used again afterwards', async () => {
    const config = configOf(`  - name: idle
    when: { idle: "> 2h" }
    do: [ { cleanup: archive } ]
`);
    const report = await replay({
      config,
      timeline: timelineOf([
        {
          key: 'agent:a:later',
          calls: [
            [10, 1000, 100, 0.01, 'a'],
            [400, 1000, 100, 0.01, 'b'],
          ],
        },
      ]),
    });
    expect(report.actions[0]).toMatchObject({ action: 'cleanup(archive)', at: new Date(T0 + 131 * MIN).toISOString(), savedCalls: 1, falsePositive: 'the session was used again 4h later' });
  });

  test('the blast radius refuses a batch past the limit, and protected sessions are held back, as in the daemon', async () => {
    const config = configOf(
      `  - name: idle
    when: { idle: "> 1h" }
    do: [ { cleanup: archive } ]
`,
      'safety: { maxActionsPerSweep: 2, protect: ["agent:*:keep"] }\n',
    );
    const report = await replay({
      config,
      timeline: timelineOf(
        [
          { key: 'agent:a:one', calls: [[0, 10, 1]] },
          { key: 'agent:a:two', calls: [[0, 10, 1]] },
          { key: 'agent:a:three', calls: [[0, 10, 1]] },
          { key: 'agent:a:keep', calls: [[300, 10, 1]] },
        ],
        0,
        8 * 60,
      ),
    });
    expect(report.actions).toHaveLength(0);
    expect(report.refused.filter((r) => r.why.startsWith('blast radius')).length).toBeGreaterThanOrEqual(3);
    expect(report.refused.some((r) => r.session === 'agent:a:keep' && r.why.includes('protected'))).toBe(true);
  });

  test('an agent budget pauses the agent for the rest of the day and releases it when the window resets', async () => {
    const config = configOf(`  - name: daily
    scope: agent
    window: { every: day, at: "00:00", tz: UTC }
    when: { cost: "> $1" }
    do: [ pause ]
`);
    const calls: CallSpec[] = [
      ...Array.from({ length: 20 }, (_, i) => [600 + i, 1000, 100, 0.1, `d1-${i}`] as CallSpec),
      ...Array.from({ length: 5 }, (_, i) => [1500 + i, 1000, 100, 0.1, `d2-${i}`] as CallSpec),
    ];
    const report = await replay({ config, timeline: timelineOf([{ key: 'agent:ops:job', calls }], 0, 2 * 24 * 60) });
    expect(report.actions.map((a) => [a.action, a.kind])).toEqual([
      ['pause', 'violation'],
      ['resume', 'release'],
    ]);
    expect(report.actions[0]).toMatchObject({ savedCalls: 9 });
    expect(report.actions[1]!.at).toBe(new Date(T0 + 24 * 60 * MIN).toISOString());
  });

  test('deterministic: the same history and config give the same report, byte for byte', async () => {
    const make = () =>
      timelineOf([
        { key: 'agent:backend:big', calls: run(60, 10, 'r1') },
        { key: 'agent:qa:x', calls: run(90, 12, 'q', 12_000) },
      ]);
    const a = JSON.stringify(await replay({ config: configOf(CAP), timeline: make() }));
    const b = JSON.stringify(await replay({ config: configOf(CAP), timeline: make() }));
    expect(a).toBe(b);
  });

  test('gaps of the history are carried into the report', async () => {
    const report = await replay({
      config: configOf(CAP),
      timeline: timelineOf([{ key: 'agent:a:b', calls: run(60, 2, 'r') }], 0, 600, [{ kind: 'unpriced', session: 'agent:a:b', detail: '2 calls have no price' }]),
    });
    expect(report.gaps).toEqual([{ kind: 'unpriced', session: 'agent:a:b', detail: '2 calls have no price' }]);
  });

  test('the HTML report is one self-contained page with a chart per agent and the actions marked', async () => {
    const report = await replay({ config: configOf(CAP), timeline: timelineOf([{ key: 'agent:backend:big', calls: run(60, 10, 'r1') }]) });
    const html = replayHtml(report);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    expect(html).not.toContain('<script');
    expect(html).toContain('<svg');
    expect(html).toContain('agent backend');
    expect(html).toContain('stroke="#c2410c"');
  });
});
