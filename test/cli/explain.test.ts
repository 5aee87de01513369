import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadConfigWith, type LoadOptions } from '../../src/config/config-file.js';
import { builtinRegistries } from '../../src/config/index.js';
import type { Config } from '../../src/config/types.js';
import { explainSession, type SessionExplanation } from '../../src/explain/explain.js';
import { readSavedState } from '../../src/explain/snapshot.js';
import { explanationText } from '../../src/explain/text.js';
import { StateStore } from '../../src/state/store.js';
import { Stage } from '../../src/replay/stage.js';
import type { Session } from '../../src/sources/source.js';
import { FixtureView } from '../http/fixture-view.js';
import { startFixtureServer } from '../http/harness.js';

const NOW = Date.parse('2026-01-05T12:00:00Z');

function config(policies: string, safety = ''): Config {
  const text = `sources: [ { name: home, type: openclaw } ]\nnotifiers: { ops-chat: { type: webhook, url: "https://hooks.example.com/x" } }\n${safety}policies:\n${policies}`;
  const options: LoadOptions = { demo: true, demoText: text, cwd: process.cwd(), env: {} };
  const loaded = loadConfigWith(builtinRegistries(), options);
  if (!loaded.config) throw new Error(JSON.stringify(loaded.errors));
  return loaded.config;
}

const CAP = `  - name: cap
    match: { exclude: { key: "agent:*:main" } }
    when: { tokens.total: "> 200k" }
    do: [ { notify: ops-chat }, stop ]
    escalate: [ { after: 5m, if: active, do: kill } ]
    cooldown: 30m
  - name: lean
    when: { all: [ { tokens.input: "> 50k" }, { ratio.input_output: "> 40" } ] }
    do: [ pause ]
  - name: daily
    scope: agent
    window: { every: day, at: "00:00", tz: UTC }
    when: { cost: "> $25" }
    warn: 80%
    do: [ notify, pause ]
`;

function session(key: string, over: Partial<Session> = {}): Session {
  return {
    source: 'home',
    key,
    generation: 'g1',
    agent: key.split(':')[1]!,
    main: key.endsWith(':main'),
    archived: false,
    active: true,
    startedAt: NOW - 3_600_000,
    lastActivityAt: NOW,
    runStartedAt: NOW - 60_000,
    ...over,
  };
}

function stageWith(cfg: Config, usage: Record<string, { input: number; output: number; cost?: number }>): Stage {
  const stage = new Stage({ config: cfg, now: NOW });
  let n = 0;
  for (const [key, u] of Object.entries(usage)) {
    const s = stage.put(session(key));
    stage.call({ source: 'home', key, generation: 'g1', agent: s.agent, id: `c${++n}`, at: NOW - 30_000, input: u.input, output: u.output, cacheRead: 0, cacheWrite: 0, cost: u.cost ?? 0 });
  }
  return stage;
}

function explain(stage: Stage, key: string, policy?: string): SessionExplanation {
  return explainSession({
    session: stage.session('home', key)!,
    sessions: stage.sessions(),
    ledger: stage.ledger,
    config: stage.config,
    state: stage.state,
    now: stage.now,
    ...(policy ? { policy } : {}),
  });
}

describe('explain', () => {
  test('each policy: match, every condition measured against its threshold, the window and aggregate, the verdict and the ladder', () => {
    const stage = stageWith(config(CAP), { 'agent:backend:big': { input: 240_000, output: 20_000, cost: 21 }, 'agent:backend:small': { input: 10_000, output: 5_000 } });
    const e = explain(stage, 'agent:backend:big');
    expect(e.usage).toMatchObject({ input: 240_000, output: 20_000, total: 260_000, calls: 1, known: true });
    const [cap, lean, daily] = e.policies;
    expect(cap).toMatchObject({
      policy: 'cap',
      matches: true,
      match: ['key agent:backend:big is not excluded by "agent:*:main"'],
      measures: "this session's totals (this generation, since it started)",
      conditions: [{ name: 'tokens.total', value: 260_000, op: '>', threshold: 200_000, text: 'tokens.total 260,000 > 200,000', holds: true }],
      holds: true,
      verdict: 'acts',
      decision: { kind: 'violation', step: 0, actions: ['notify(ops-chat)', 'stop'] },
      next: { step: 1, after: '5m', ifActive: true, actions: ['kill'], due: '2026-01-05T12:05:00.000Z' },
    });
    expect(lean).toMatchObject({
      verdict: 'quiet',
      holds: false,
      conditions: [
        { depth: 0, name: 'all of', holds: false },
        { depth: 1, name: 'tokens.input', holds: true, value: 240_000 },
        { depth: 1, name: 'ratio.input_output', holds: false, value: 12 },
      ],
    });
    expect(daily).toMatchObject({
      scope: 'agent',
      window: { every: 'day', tz: 'UTC', start: '2026-01-05T00:00:00.000Z', end: '2026-01-06T00:00:00.000Z' },
      measures: 'the sum of every session of agent backend (ended ones too) within the day from 2026-01-05T00:00:00.000Z (00:00 UTC)',
      conditions: [{ name: 'cost', value: 21, threshold: 25, holds: false }],
      budget: { used: 0.84, warnAt: 0.8 },
      verdict: 'acts',
      decision: { kind: 'warn', actions: ['notify'] },
    });
    expect(lean!.why).toBe('the condition does not hold');
  });

  test('after acting: the ladder, when the next step is due, and its cooldown', async () => {
    const stage = stageWith(config(CAP), { 'agent:backend:big': { input: 240_000, output: 20_000 } });
    await stage.evaluate({ trigger: 'sweep' });
    stage.advance(NOW + 2 * 60_000);
    stage.put(session('agent:backend:big', { runStartedAt: NOW + 60_000 }));
    const cap = explain(stage, 'agent:backend:big', 'cap').policies;
    expect(cap).toHaveLength(1);
    expect(cap[0]).toMatchObject({
      verdict: 'waits',
      ladder: { episode: 1, firedAt: '2026-01-05T12:00:00.000Z', stepDone: 0, cooldownUntil: '2026-01-05T12:30:00.000Z' },
      next: { step: 1, due: '2026-01-05T12:05:00.000Z', actions: ['kill'] },
    });
    expect(cap[0]!.why).toBe('acted at 2026-01-05T12:00:00.000Z (step 0 done); step 1 (kill) is due at 2026-01-05T12:05:00.000Z; it may act anew after its cooldown, at 2026-01-05T12:30:00.000Z');
    stage.advance(NOW + 6 * 60_000);
    expect(explain(stage, 'agent:backend:big', 'cap').policies[0]).toMatchObject({ verdict: 'acts', decision: { kind: 'escalation', step: 1, actions: ['kill'] } });
  });

  test('what the safety rules would hold back: protection, and a batch past the blast radius', () => {
    const stage = stageWith(config(CAP.replace('match: { exclude: { key: "agent:*:main" } }', 'match: { agent: "*" }'), 'safety: { protect: ["agent:*:vip"], maxActionsPerSweep: 1 }\n'), {
      'agent:backend:vip': { input: 300_000, output: 9_000 },
      'agent:backend:other': { input: 300_000, output: 9_000 },
    });
    const cap = explain(stage, 'agent:backend:vip', 'cap').policies[0]!;
    expect(cap.safety).toEqual([
      'stop on agent:backend:vip: held back — session is protected (safety.protect); set allowProtected: true on the policy to let it stop protected sessions',
      'blast radius: this evaluation plans 2 actions, more than safety.maxActionsPerSweep allows (1 of 2 sessions): the whole batch would be refused and an alert sent',
    ]);
    expect(explain(stage, 'agent:backend:vip').protected).toBe(true);
  });

  test('a policy that does not match says which field did not, and unknown usage is named as the fail-safe', () => {
    const stage = stageWith(config(CAP), { 'agent:backend:main': { input: 300_000, output: 1_000 } });
    const cap = explain(stage, 'agent:backend:main', 'cap').policies[0]!;
    expect(cap).toMatchObject({ matches: false, verdict: 'quiet', why: 'does not match this session (key agent:backend:main is excluded by "agent:*:main")' });
    stage.put(session('agent:backend:fresh', { generation: 'g9' }), { usageKnown: false });
    const fresh = explain(stage, 'agent:backend:fresh', 'cap').policies[0]!;
    expect(fresh.usageKnown).toBe(false);
    expect(fresh.why).toContain('usage is not known yet');
    const text = explanationText(explain(stage, 'agent:backend:main'));
    expect(text).toContain('session agent:backend:main (agent backend');
    expect(text).toContain('  match     no: key agent:backend:main is excluded by "agent:*:main"');
  });

  test('idle.human: measured on a heartbeat-kept session, and when the last human input is unknown, says so instead of guessing', () => {
    const policies = `  - name: heartbeat-burn
    when: { all: [ { idle.human: "> 3d" }, { idle: "< 1h" } ] }
    do: [ pause ]
`;
    const stage = new Stage({ config: config(policies), now: NOW });
    const day = 86_400_000;
    stage.put(session('agent:ops:main', { active: false, lastActivityAt: NOW - 21 * day, lastHumanAt: NOW - 21 * day }));
    stage.call({ source: 'home', key: 'agent:ops:main', generation: 'g1', agent: 'ops', id: 'hb1', at: NOW - 5 * 60_000, input: 12_000, output: 12, cacheRead: 0, cacheWrite: 0, cost: 0.04 });
    const known = explain(stage, 'agent:ops:main').policies[0]!;
    expect(known.conditions.map((c) => [c.text, c.holds])).toEqual([
      ['every condition below holds', true],
      ['idle.human 3w > 3d', true],
      ['idle 5m < 1h', true],
    ]);
    expect(known.verdict).toBe('acts');
    expect(explanationText(explain(stage, 'agent:ops:main'))).toContain('last human input 3w ago');

    stage.put(session('agent:ops:cron-nightly', { active: false, lastActivityAt: NOW - 60_000 }));
    const unknown = explain(stage, 'agent:ops:cron-nightly').policies[0]!;
    expect(unknown.holds).toBeUndefined();
    expect(unknown.verdict).toBe('quiet');
    expect(unknown.conditions[1]).toMatchObject({ name: 'idle.human', holds: undefined, text: expect.stringContaining('idle.human > 3d: no human input is known for this session') as string });
    expect(unknown.why).toBe('idle.human cannot be measured yet (no human input is known for this session: the source has not reported when a person last wrote to it), so the policy does not act');
    expect(explanationText(explain(stage, 'agent:ops:cron-nightly'))).toContain('? (unknown)');
  });
});

describe('explain a marked session', () => {
  const IDLE = `  - name: idle-archive
    when: { idle: "> 2h" }
    do: [ { notify: ops-chat }, { cleanup: archive, notice: 1h } ]
`;
  const KEY = 'agent:backend:old';
  const marked = async (): Promise<Stage> => {
    const stage = new Stage({ config: config(IDLE), now: NOW });
    stage.put(session(KEY, { active: false, lastActivityAt: NOW - 3 * 3_600_000 }));
    await stage.evaluate({ trigger: 'sweep' });
    expect(stage.state.marks.size).toBe(1);
    return stage;
  };

  test('names the policy and step, the action, when it was marked and falls due, the time left, the condition at due time and how to cancel', async () => {
    const stage = await marked();
    stage.advance(NOW + 18 * 60_000);
    const e = explain(stage, KEY);
    expect(e.marks).toEqual([
      {
        policy: 'idle-archive',
        kind: 'violation',
        step: 0,
        action: 'cleanup(archive)',
        notice: '1h',
        markedAt: '2026-01-05T12:00:00.000Z',
        due: '2026-01-05T13:00:00.000Z',
        leftMs: 42 * 60_000,
        left: '42m',
        stillMatches: true,
        then: 'at 2026-01-05T13:00:00.000Z it acts only if policy idle-archive still matches then (it does now); if it no longer does, the mark is dropped at that time and nothing is done',
        unmark: `clawwarden sessions unmark ${KEY}`,
      },
    ]);
    // The engine decides it again every evaluation, but the enforcer waits out the notice: not "acts now".
    expect(e.policies[0]).toMatchObject({ verdict: 'waits' });
    expect(e.policies[0]!.decision).toBeUndefined();
    expect(e.policies[0]!.why).toBe('marked this session for cleanup(archive) at 2026-01-05T12:00:00.000Z (its `do`, 1h notice); it acts at 2026-01-05T13:00:00.000Z only if it still matches then');
    const text = explanationText(e);
    expect(text).toContain('marked: cleanup(archive) by policy idle-archive (its do, step 0) at 2026-01-05T12:00:00.000Z, 1h notice; due 2026-01-05T13:00:00.000Z (in 42m)\n');
    expect(text).toContain('  then:   at 2026-01-05T13:00:00.000Z it acts only if policy idle-archive still matches then');
    expect(text).toContain(`  cancel: clawwarden sessions unmark ${KEY}\n`);
    expect(text).toMatch(/idle-archive {2}waits/);
    // JSON is the same explanation: what the CLI's --json and the API print.
    expect((JSON.parse(JSON.stringify(e)) as SessionExplanation).marks).toEqual(e.marks);
    // --policy narrows the marks too.
    stage.put(session('agent:backend:other', { active: true }));
    expect(explain(stage, KEY, 'idle-archive').marks).toHaveLength(1);
  });

  test('a marking policy that no longer matches: the mark is dropped at its due time, not acted on — as the enforcer then does', async () => {
    const stage = await marked();
    stage.advance(NOW + 20 * 60_000);
    // Used again: idle for 0s, the policy no longer matches.
    stage.put(session(KEY, { active: false, lastActivityAt: NOW + 20 * 60_000 }));
    const before = explain(stage, KEY);
    expect(before.marks?.[0]).toMatchObject({ stillMatches: false, left: '40m' });
    expect(before.marks?.[0]?.then).toBe(
      'policy idle-archive does not match now: unless it matches again by 2026-01-05T13:00:00.000Z, the mark is dropped at that time (journaled as dropped) and nothing is done',
    );
    expect(before.policies[0]).toMatchObject({ verdict: 'quiet' });
    expect(before.policies[0]!.why).toBe('the condition does not hold; it marked this session for cleanup(archive), due 2026-01-05T13:00:00.000Z (see marked)');
    expect(explanationText(before)).toContain('(in 40m)');
    // Past due and not evaluated yet: the next whole-fleet evaluation drops it.
    stage.advance(NOW + 61 * 60_000);
    const due = explain(stage, KEY).marks?.[0];
    expect(due).toMatchObject({ leftMs: 0, left: 'due', stillMatches: false });
    expect(due?.then).toBe('due since 2026-01-05T13:00:00.000Z but policy idle-archive no longer matches: the next sweep or due-timer evaluation drops it (journaled as dropped) without acting');
    expect(explanationText(explain(stage, KEY))).toContain('(due now)');
    // …which is what the enforcer does.
    await stage.evaluate({ trigger: 'timer' });
    expect(stage.performed).toEqual([]);
    expect(stage.journal.entries.filter((j) => j.type === 'mark').map((j) => j.result)).toEqual(['marked', 'dropped']);
    expect(explain(stage, KEY).marks).toBeUndefined();
  });

  test("without a daemon, the marks come from the daemon's saved state file", async () => {
    const stage = await marked();
    const dir = await mkdtemp(join(tmpdir(), 'clawwarden-explain-marks-'));
    try {
      const { store } = await StateStore.open(dir, NOW);
      for (const m of stage.state.marks.values()) store.marks.set(m.id, m);
      await store.commit();
      const saved = await readSavedState(dir);
      expect(saved.note).toBeUndefined();
      const e = explainSession({ session: stage.session('home', KEY)!, sessions: stage.sessions(), ledger: stage.ledger, config: stage.config, state: saved.state, now: NOW + 60_000 });
      expect(e.marks).toEqual([expect.objectContaining({ policy: 'idle-archive', action: 'cleanup(archive)', due: '2026-01-05T13:00:00.000Z', left: '59m' })]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a due mark whose policy still matches acts now; a session with no mark has no marks field', async () => {
    const stage = await marked();
    stage.advance(NOW + 60 * 60_000);
    const e = explain(stage, KEY);
    expect(e.marks?.[0]?.then).toBe('due since 2026-01-05T13:00:00.000Z and policy idle-archive still matches: the next evaluation acts on it');
    expect(e.policies[0]).toMatchObject({ verdict: 'acts', why: 'acts now: the notice of its mark has run out and it still matches' });
    await stage.evaluate({ trigger: 'timer' });
    expect(stage.performed.map((p) => p.request.action)).toEqual(['cleanup']);
    expect('marks' in explain(stage, KEY)).toBe(false);
  });
});

describe('clawwarden explain (CLI)', () => {
  async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { CLAWWARDEN_LISTEN: '127.0.0.1:1' }, cwd: process.cwd() });
    return { code, stdout, stderr };
  }

  test('--demo: a session over the token cap is explained with its numbers; JSON carries the same', async () => {
    const text = await cli(['explain', 'agent:backend:fix-flaky-tests', '--demo', '--policy', 'session-token-cap']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^session agent:backend:fix-flaky-tests \(agent backend/);
    expect(text.stdout).toMatch(/session-token-cap {2}ACTS NOW: .*stop/);
    expect(text.stdout).toMatch(/when {6}tokens\.total [\d,]+ > 200,000 ✓/);
    const json = JSON.parse((await cli(['explain', 'agent:backend:fix-flaky-tests', '--demo', '--json'])).stdout) as SessionExplanation;
    expect(json.session.key).toBe('agent:backend:fix-flaky-tests');
    expect(json.policies.find((p) => p.policy === 'session-token-cap')).toMatchObject({ verdict: 'acts', holds: true });
  });

  test('an unknown session or policy is exit 2 with a hint', async () => {
    const session = await cli(['explain', 'agent:backend:fix-flaky-test', '--demo']);
    expect(session.code).toBe(2);
    expect(session.stderr).toContain('no session "agent:backend:fix-flaky-test"; did you mean "agent:backend:fix-flaky-tests"?');
    const policy = await cli(['explain', 'agent:backend:fix-flaky-tests', '--demo', '--policy', 'session-token-cop']);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain('no policy "session-token-cop"; did you mean "session-token-cap"?');
    expect((await cli(['explain', '--demo'])).code).toBe(2);
  });
});

describe('GET /api/v1/sessions/{key}/explain', () => {
  const stage = stageWith(config(CAP), { 'agent:backend:big': { input: 240_000, output: 2_000 } });
  class ExplainingView extends FixtureView {
    explain(key: string, policy?: string): SessionExplanation | undefined {
      return stage.session('home', key) ? explain(stage, key, policy) : undefined;
    }
  }
  const servers: { close: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  test('answers the explanation, 404 for an unknown key or policy, 400 for an unknown parameter', async () => {
    const server = await startFixtureServer({ view: new ExplainingView() });
    servers.push(server);
    const ok = await fetch(`${server.base}/api/v1/sessions/${encodeURIComponent('agent:backend:big')}/explain?policy=session-token-cap`);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { explanation: SessionExplanation };
    expect(body.explanation.session.key).toBe('agent:backend:big');
    const unknown = await fetch(`${server.base}/api/v1/sessions/nope/explain`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_SESSION');
    expect((await fetch(`${server.base}/api/v1/sessions/agent%3Abackend%3Abig/explain?policy=nope`)).status).toBe(404);
    expect((await fetch(`${server.base}/api/v1/sessions/agent%3Abackend%3Abig/explain?polcy=x`)).status).toBe(400);
  });

  test('a daemon that cannot explain answers 501', async () => {
    const server = await startFixtureServer();
    servers.push(server);
    const response = await fetch(`${server.base}/api/v1/sessions/agent%3Amain%3Amain/explain`);
    expect(response.status).toBe(501);
  });
});
