import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CallHistory, readHistory } from '../../src/replay/history-file.js';
import type { Session, UsageRecord } from '../../src/sources/source.js';
import { MIN, T0 } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'clawwarden-history-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `h${++n}`);

function call(key: string, minute: number, input: number, id: string): UsageRecord {
  return { source: 'home', key, generation: 'g1', agent: key.split(':')[1]!, id, at: T0 + minute * MIN, input, output: 100, cacheRead: 0, cacheWrite: 0, cost: input / 1e6 };
}

const session = (key: string, runStartedAt: number): Session => ({
  source: 'home',
  key,
  generation: 'g1',
  agent: key.split(':')[1]!,
  main: false,
  archived: false,
  active: true,
  runStartedAt,
  model: 'm-1',
  startedAt: T0,
});

describe('the call history file', () => {
  test('what was recorded reads back as a timeline: calls, session facts, runs; duplicates once', async () => {
    const dir = fresh();
    let clock = T0;
    const history = await CallHistory.open(dir, { now: () => clock });
    history.session(session('agent:a:one', T0 + MIN));
    history.record(call('agent:a:one', 1, 1000, '1'));
    history.record(call('agent:a:one', 1.5, 2000, '2'));
    history.record(call('agent:a:one', 1.5, 2000, '2'));
    history.session(session('agent:a:one', T0 + 10 * MIN));
    history.record(call('agent:a:one', 10, 3000, '3'));
    clock = T0 + 11 * MIN;
    await history.close();
    const t = await readHistory(dir, T0, T0 + 60 * MIN);
    expect(t.gaps).toEqual([{ kind: 'history', from: T0 + 11 * MIN, to: T0 + 60 * MIN, detail: expect.stringContaining('was not recording calls from 2026-01-05T00:11:00.000Z') as string }]);
    expect(t.sessions).toHaveLength(1);
    const s = t.sessions[0]!;
    expect(s).toMatchObject({ key: 'agent:a:one', agent: 'a', model: 'm-1', createdAt: T0 });
    expect([...s.calls.input]).toEqual([1000, 2000, 3000]);
    expect(s.runs).toEqual([
      { first: 0, last: 1 },
      { first: 2, last: 2 },
    ]);
  });

  test('a crash leaves a torn line and no stop mark: the torn line is skipped and the time until the next start is a gap', async () => {
    const dir = fresh();
    let clock = T0;
    const first = await CallHistory.open(dir, { now: () => clock });
    first.record(call('agent:a:x', 1, 1000, '1'));
    await first.flush();
    const [segment] = readdirSync(dir);
    appendFileSync(join(dir, segment!), 'C\t0\t99999');
    clock = T0 + 30 * MIN;
    const second = await CallHistory.open(dir, { now: () => clock });
    second.record(call('agent:a:x', 31, 500, '2'));
    await second.flush();
    const t = await readHistory(dir, T0, T0 + 40 * MIN);
    expect(t.sessions[0]!.calls.length).toBe(2);
    expect(t.gaps).toEqual([{ kind: 'history', from: T0 + MIN, to: T0 + 30 * MIN, detail: expect.any(String) as string }]);
    await second.close();
  });

  test('history that starts later than asked is a retention gap; segments past retention are dropped', async () => {
    const dir = fresh();
    const day = 24 * 60 * MIN;
    let clock = T0;
    const old = await CallHistory.open(dir, { now: () => clock });
    old.record(call('agent:a:x', 1, 1000, '1'));
    await old.close();
    clock = T0 + 40 * day;
    const next = await CallHistory.open(dir, { now: () => clock, retentionMs: 35 * day });
    next.record(call('agent:a:x', 40 * 24 * 60 + 1, 1000, '2'));
    await next.close();
    expect(readdirSync(dir)).toHaveLength(1);
    const t = await readHistory(dir, T0 + 10 * day, T0 + 41 * day);
    expect(t.gaps[0]).toMatchObject({ kind: 'retention', from: T0 + 10 * day, to: T0 + 40 * day });
  });

  test('a torn last line is read up to the tear, and a line cut short mid-file is skipped, not misread', async () => {
    const dir = fresh();
    const history = await CallHistory.open(dir, { now: () => T0 });
    history.record(call('agent:a:x', 1, 1000, '1'));
    await history.flush();
    const [segment] = readdirSync(dir);
    // A write cut short (no newline), then more lines appended after it: the cut line is merged with the next one.
    appendFileSync(join(dir, segment!), 'C\t0\t9999');
    history.record(call('agent:a:x', 2, 2000, '2'));
    history.record(call('agent:a:x', 3, 3000, '3'));
    await history.flush();
    // And a torn tail, as a crash mid-write leaves it.
    appendFileSync(join(dir, segment!), 'C\t0\t1767571440000\t4\t40');
    const t = await readHistory(dir, T0, T0 + 60 * MIN);
    expect([...t.sessions[0]!.calls.input]).toEqual([1000, 3000]);
    await history.close();
  });

  test('a history that runs for months keeps only its retention: a new segment every day, the old ones dropped', async () => {
    const dir = fresh();
    const day = 24 * 60 * MIN;
    let clock = T0;
    const history = await CallHistory.open(dir, { now: () => clock, retentionMs: 35 * day });
    for (let d = 0; d < 60; d++) {
      clock = T0 + d * day;
      history.record(call('agent:a:x', d * 24 * 60 + 1, 1000 + d, String(d)));
      await history.flush();
    }
    await history.close();
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(35);
    expect(files.length).toBeLessThanOrEqual(37);
    const t = await readHistory(dir, T0, T0 + 61 * day);
    const kept = [...t.sessions[0]!.calls.input];
    // Days 0 … 23 are past retention at day 59; what is kept is whole and in order, with no gap between daily segments.
    expect(kept[0]).toBeGreaterThanOrEqual(1000 + 23);
    expect(kept.at(-1)).toBe(1059);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => kept[0]! + i));
    expect(t.gaps.map((g) => g.kind)).toEqual(['retention', 'history']);
    expect(t.gaps[1]).toMatchObject({ from: T0 + 59 * day });
  });

  test('clawwarden replay --from state replays what the daemon recorded', async () => {
    const dir = fresh();
    const state = join(dir, 'state');
    let clock = T0;
    const history = await CallHistory.open(join(state, 'history'), { now: () => clock });
    for (let i = 0; i < 10; i++) history.record(call('agent:backend:big', 60 + i * 0.5, 19_000, String(i)));
    clock = T0 + 24 * 60 * MIN;
    await history.close();
    const config = join(dir, 'clawwarden.yaml');
    writeFileSync(config, `sources: [ { name: home, type: openclaw } ]\nstateDir: ${JSON.stringify(state)}\npolicies:\n  - name: cap\n    when: { tokens.total: "> 100k" }\n    do: [ stop ]\n`);
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), env: {}, cwd: dir };
    const code = await main(['replay', '--config', config, '--from', 'state', '--since', '2026-01-05T00:00:00Z', '--until', '2026-01-06T00:00:00Z', '--json'], io);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { actions: { policy: string; session: string; action: string; at: string; savedTokens: number; savedCost: number }[]; origin: string };
    expect(report.origin).toBe(`state ${join(state, 'history')}`);
    expect(report.actions).toEqual([expect.objectContaining({ policy: 'cap', session: 'agent:backend:big', action: 'stop', at: '2026-01-05T01:02:30.000Z', savedTokens: 76_400 })]);
    stdout = '';
    expect(await main(['replay', '--config', config, '--from', 'state', '--since', '2026-01-05T00:00:00Z', '--until', '2026-01-06T00:00:00Z', '--html', 'r.html'], io)).toBe(0);
    expect(stdout).toMatch(/cap\s+enforce\s+1\s+1/);
    expect(stdout).toContain('tokens.total 114,600 > 100,000');
    expect(readdirSync(dir)).toContain('r.html');
  });
});
