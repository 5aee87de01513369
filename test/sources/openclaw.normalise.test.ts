import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/sources/openclaw/link.js';
import { baselineFromUsage, recordFromMessage, sessionFromRow, type OpenClawRow, type OpenClawUsageEntry, type SessionMessagePayload } from '../../src/sources/openclaw/normalise.js';
import { stripJson5Comments } from '../../src/sources/openclaw/discover.js';
import { parse } from 'yaml';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'openclaw');
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a recorded gateway payload read as the type the test names; the normaliser under test checks it
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as T;
const events = readFileSync(join(fixtures, 'loop-events.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { event: string; payload: SessionMessagePayload });

describe('sessionFromRow (sessions.list rows of a real gateway)', () => {
  const rows = fixture<{ sessions: OpenClawRow[] }>('sessions.list.during-run.json').sessions;
  const byKey = new Map(rows.map((r) => [r.key as string, sessionFromRow('home', r)]));

  it('normalises a running session: generation = sessionId, active from hasActiveRun, runStartedAt from startedAt', () => {
    expect(byKey.get('agent:main:slow2')).toEqual({
      source: 'home',
      key: 'agent:main:slow2',
      generation: '53cb6354-4224-4347-aca4-bf69e555768b',
      agent: 'main',
      model: 'fake-1',
      provider: 'fake',
      kind: 'direct',
      main: false,
      archived: false,
      active: true,
      status: 'running',
      startedAt: 1795499141779,
      lastActivityAt: expect.any(Number) as number,
      lastHumanAt: 1795499141778,
      runStartedAt: 1795499143068,
    });
  });

  it('normalises an idle main session: main from isMain, no runStartedAt, last activity in epoch ms', () => {
    const main = byKey.get('agent:main:main');
    expect(main).toMatchObject({ main: true, active: false, status: 'done', lastActivityAt: 1795498997838, startedAt: 1795498986502 });
    expect(main?.runStartedAt).toBeUndefined();
  });

  it('takes active from status when hasActiveRun is missing (sessions.describe rows)', () => {
    const row = fixture<{ session: OpenClawRow }>('sessions.describe.json').session;
    expect(sessionFromRow('home', { ...row, hasActiveRun: undefined, status: 'running' })?.active).toBe(true);
    expect(sessionFromRow('home', { ...row, hasActiveRun: undefined, status: 'done' })?.active).toBe(false);
  });

  it.each([
    ['no key', { sessionId: 's' }],
    ['no sessionId', { key: 'agent:a:x' }],
    ['empty key', { key: '', sessionId: 's' }],
  ])('drops a row with %s', (_label, row) => {
    expect(sessionFromRow('home', row)).toBeUndefined();
  });

  it.each([
    ['the later of run end and input', { lastActivityAt: 10, lastInteractionAt: 20, updatedAt: 30 }, 20],
    ['the run end when later', { lastActivityAt: 25, lastInteractionAt: 20, updatedAt: 30 }, 25],
    ['updatedAt when neither is known', { updatedAt: 30 }, 30],
  ])('last activity is %s', (_label, times, expected) => {
    expect(sessionFromRow('home', { key: 'agent:a:x', sessionId: 's', ...times })?.lastActivityAt).toBe(expected);
  });

  it('derives the agent from the key and main from the key shape when the row omits them', () => {
    expect(sessionFromRow('home', { key: 'agent:ops:main', sessionId: 's' })).toMatchObject({ agent: 'ops', main: true });
  });

  it('never reads the trap fields (last-run tokens) of sessions.list', () => {
    const s = sessionFromRow('home', rows[2] as OpenClawRow) as unknown as Record<string, unknown>;
    for (const field of ['inputTokens', 'outputTokens', 'totalTokens', 'estimatedCostUsd']) expect(s[field]).toBeUndefined();
  });
});

describe('lastHumanAt (a main session kept busy by heartbeats, captured on gateway 2026.9.6)', () => {
  // One chat.send from an operator, then heartbeat turns every ~30 s (`agents.defaults.heartbeat.every: "10s"`).
  const heartbeat = readFileSync(join(fixtures, 'heartbeat-events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string; payload: SessionMessagePayload & { reason?: string; phase?: string } });
  const rows = heartbeat.flatMap((e) => (e.payload.session ? [{ event: e, session: sessionFromRow('home', e.payload.session)! }] : []));
  const HUMAN = 1796172938079;

  it("is the row's lastInteractionAt: the human message, unmoved by the heartbeat turns that keep updating the row", () => {
    expect(rows.length).toBeGreaterThan(10);
    expect(new Set(rows.map((r) => r.session.lastHumanAt))).toEqual(new Set([HUMAN]));
    // The heartbeat runs are real: the row went running again after the human turn ended, and updatedAt moved on.
    const humanTurnEnd = rows.findIndex((r) => r.event.payload.phase === 'end');
    expect(rows.slice(humanTurnEnd + 1).some((r) => r.session.active)).toBe(true);
    const updated = heartbeat.map((e) => Number(e.payload.session?.updatedAt ?? 0));
    expect(Math.max(...updated) - HUMAN).toBeGreaterThan(90_000);
  });

  it('heartbeat turns bill model calls: two assistant messages after the human turn, each a usage record', () => {
    const records = heartbeat
      .filter((e) => e.event === 'session.message')
      .flatMap((e) => {
        const r = recordFromMessage('home', e.payload, 0);
        return r ? [r] : [];
      });
    expect(records.map((r) => r.id)).toEqual(['2', '4', '6']);
    // The calls of seq 4 and 6 came after the human's own turn, with no new human input: idle.human keeps growing.
    expect(records.every((r) => r.at > HUMAN)).toBe(true);
  });

  it('the heartbeat poll itself reaches a client only as a bare sessions.changed (no message), so the row is what tells', () => {
    const polls = heartbeat.filter((e) => e.payload.reason === 'message' || (e.event === 'sessions.changed' && typeof e.payload.messageSeq === 'number'));
    expect(polls.map((e) => e.payload.messageSeq)).toEqual([3, 5]);
    expect(polls.every((e) => e.payload.message == null)).toBe(true);
    const human = heartbeat.find((e) => e.event === 'session.message' && e.payload.message?.role === 'user');
    expect(human?.payload.messageSeq).toBe(1);
  });

  it('is absent, not guessed, when the row has no lastInteractionAt', () => {
    const row = { ...heartbeat[0]!.payload.session!, lastInteractionAt: undefined };
    expect(sessionFromRow('home', row)?.lastHumanAt).toBeUndefined();
    expect(sessionFromRow('home', { ...row, lastInteractionAt: 'yesterday' })?.lastHumanAt).toBeUndefined();
  });
});

describe('baselineFromUsage (sessions.usage)', () => {
  const entries = fixture<{ sessions: OpenClawUsageEntry[] }>('sessions.usage.json').sessions;

  it('gives the cumulative totals, cost and daily breakdown of the transcript', () => {
    const b = baselineFromUsage('home', entries[0] as OpenClawUsageEntry);
    expect(b).toMatchObject({
      key: 'agent:main:main',
      generation: '541d57f0-3ebb-4221-9235-5b4a4bacbaa4',
      agent: 'main',
      input: 25279,
      output: 24,
      cacheRead: 0,
      cacheWrite: 0,
      cost: 0.076197,
      lastActivityAt: 1795498997739,
    });
    expect(b?.daily).toEqual([{ date: '2026-11-24', input: 25279, output: 24, cacheRead: 0, cacheWrite: 0, cost: 0.076197 }]);
  });

  it('treats usage: null (cache refreshing) as unknown, not zero', () => {
    expect(baselineFromUsage('home', { ...entries[0], usage: null })).toBeUndefined();
  });
});

describe('recordFromMessage (session.message events of a tool loop)', () => {
  const records = events.filter((e) => e.event === 'session.message').map((e) => recordFromMessage('home', e.payload, 1));

  it('turns each assistant message into one usage record keyed by messageSeq; user messages give none', () => {
    expect(records[0]).toBeUndefined();
    expect(records.slice(1).map((r) => r?.id)).toEqual(['2', '4', '6', '8']);
    expect(records[1]).toEqual({
      source: 'home',
      key: 'agent:main:loop1',
      generation: 'fa953b2b-f7f5-449d-9e34-9b755fa00801',
      agent: 'main',
      id: '2',
      at: 1795499166946,
      input: 12863,
      output: 25,
      cacheRead: 0,
      cacheWrite: 0,
      cost: 0.038964,
    });
  });

  const good = events.find((e) => e.event === 'session.message' && e.payload.message?.role === 'assistant')?.payload as SessionMessagePayload;
  const usage = good.message?.usage ?? {};
  it.each<[string, SessionMessagePayload]>([
    ['no session key', { ...good, sessionKey: undefined }],
    ['no messageSeq', { ...good, messageSeq: undefined }],
    ['a fractional messageSeq', { ...good, messageSeq: 2.5 }],
    ['negative input tokens', { ...good, message: { ...good.message, usage: { ...usage, input: -5 } } }],
    ['missing output tokens', { ...good, message: { ...good.message, usage: { ...usage, output: undefined } } }],
    ['a NaN cost', { ...good, message: { ...good.message, usage: { ...usage, cost: { total: Number.NaN } } } }],
    ['no generation anywhere', { ...good, sessionId: undefined, session: null }],
  ])('emits nothing for a malformed record: %s', (_label, payload) => {
    expect(recordFromMessage('home', payload, 1)).toBeUndefined();
  });

  it('uses the receive time when the message carries no timestamp', () => {
    expect(recordFromMessage('home', { ...good, message: { ...good.message, timestamp: undefined } }, 42)?.at).toBe(42);
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0, 375],
    [0, 1, 625],
    [3, 0.5, 4_000],
    [20, 0.5, 30_000],
    [20, 0, 22_500],
  ])('attempt %i with random %f → %i ms (min 500, max 30000)', (attempt, random, expected) => {
    expect(backoffDelay(attempt, 500, 30_000, () => random)).toBe(Math.max(500, expected));
  });

  it('spreads reconnects: different random draws give different delays', () => {
    expect(backoffDelay(4, 500, 30_000, () => 0)).not.toBe(backoffDelay(4, 500, 30_000, () => 1));
  });
});

describe('stripJson5Comments (discover reads ~/.openclaw/openclaw.json)', () => {
  it('parses the gateway config of the samples: comments, unquoted keys, trailing commas', () => {
    const text = readFileSync(join(fixtures, 'gateway-config.json5'), 'utf8');
    const config = parse(stripJson5Comments(text)) as { gateway: { port: number; bind: string; auth: { token: string } }; models: { providers: { fake: { baseUrl: string } } } };
    expect(config.gateway).toMatchObject({ port: 18789, bind: 'loopback', auth: { token: 'local-test-token-change-me' } });
    expect(config.models.providers.fake.baseUrl).toBe('http://127.0.0.1:18999/v1');
  });

  it('keeps // inside strings', () => {
    expect(parse(stripJson5Comments('{ url: "ws://h:1", /* c */ a: 1, // tail\n }'))).toEqual({ url: 'ws://h:1', a: 1 });
  });
});

describe('sessionFromRow: who spawned a session', () => {
  // Rows as OpenClaw 2026.9.6 listed them: a sub-agent, and an ordinary session whose parentSessionKey is only navigation.
  const child: OpenClawRow & Record<string, unknown> = {
    key: 'agent:main:subagent:8fbc',
    sessionId: 'g1',
    agentId: 'main',
    kind: 'direct',
    spawnedBy: 'agent:main:fan',
    parentSessionKey: 'agent:main:fan',
    controlOwnerSessionKey: 'agent:main:fan',
    spawnDepth: 1,
  };
  const ordinary: OpenClawRow & Record<string, unknown> = { key: 'agent:main:fan', sessionId: 'g2', agentId: 'main', kind: 'direct', parentSessionKey: 'agent:main:main', spawnDepth: 0 };

  it('takes the parent from spawnedBy', () => {
    expect(sessionFromRow('home', child)?.parent).toBe('agent:main:fan');
  });

  it('never from parentSessionKey alone, and never the session itself', () => {
    expect(sessionFromRow('home', ordinary)?.parent).toBeUndefined();
    expect(sessionFromRow('home', { ...ordinary, spawnedBy: 'agent:main:fan' })?.parent).toBeUndefined();
  });
});
