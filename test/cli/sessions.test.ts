import { describe, expect, it } from 'vitest';
import { runSessions } from '../../src/cli/commands/sessions.js';
import { command } from '../../src/cli/commands/sessions.js';
import { selectForCleanup, type CleanupOptions, type KeyResult, type SessionControl, type SessionView } from '../../src/cli/sessions/control.js';
import { shortDuration } from '../../src/cli/sessions/format.js';
import type { CommandIO } from '../../src/cli/command.js';

const NOW = Date.UTC(2026, 10, 24, 12);
const H = 3_600_000;

function view(key: string, over: Partial<SessionView> = {}): SessionView {
  return {
    source: 'gw',
    key,
    generation: `g-${key}`,
    agent: key.split(':')[1] ?? 'main',
    main: key.endsWith(':main'),
    archived: false,
    active: false,
    startedAt: NOW - 2 * H,
    lastActivityAt: NOW - H,
    ...over,
  };
}

const fleet: SessionView[] = [
  view('agent:main:main', { usage: { input: 100, output: 10, cacheRead: 0, cacheWrite: 0, cost: 0.001 } }),
  view('agent:ops:loop', { active: true, status: 'running', usage: { input: 250_000, output: 900, cacheRead: 100, cacheWrite: 0, cost: 0.76 } }),
  view('agent:ops:idle', { startedAt: NOW - 30 * H, lastActivityAt: NOW - 25 * H, usage: { input: 12_000, output: 40, cacheRead: 0, cacheWrite: 0, cost: 0.04 } }),
  view('agent:main:fresh', { startedAt: NOW - 60_000, lastActivityAt: NOW - 30_000 }),
];

/** A SessionControl that records what it was asked: the command must work the same on any implementation. */
function fakeControl(results: Record<string, KeyResult['status']> = {}): SessionControl & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    target: 'fake',
    asked,
    list: async () => fleet,
    act: async (action, keys, dryRun) => {
      asked.push({ action, keys, dryRun });
      return keys.map((key) => ({ key, action, status: results[key] ?? (dryRun ? 'planned' : 'done'), detail: 'x' }));
    },
    cleanup: async (options: CleanupOptions) => {
      asked.push(options);
      return selectForCleanup(fleet, options, NOW).map((s) => ({ key: s.key, action: 'cleanup' as const, status: options.dryRun ? ('planned' as const) : ('done' as const), detail: options.mode }));
    },
    close: async () => {},
  };
}

function io(): CommandIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {}, cwd: '/', out: () => out, err: () => err };
}

const parsed = (values: Record<string, string | boolean>, positionals: string[] = []) => ({ values, positionals });

describe('sessions list', () => {
  it('filters by --tokens on cumulative totals (input+output+cache) and sorts biggest first', async () => {
    const o = io();
    expect(await runSessions('list', parsed({ tokens: '10k', json: true }), fakeControl(), o, NOW)).toBe(0);
    expect((JSON.parse(o.out()) as SessionView[]).map((s) => s.key)).toEqual(['agent:ops:loop', 'agent:ops:idle']);
  });

  it.each([
    [{ active: true }, ['agent:ops:loop']],
    [{ agent: 'main' }, ['agent:main:main', 'agent:main:fresh']],
  ])('filters %o', async (values, keys) => {
    const o = io();
    await runSessions('list', parsed({ ...values, json: true }), fakeControl(), o, NOW);
    expect((JSON.parse(o.out()) as SessionView[]).map((s) => s.key)).toEqual(keys);
  });

  it('prints a table with key, agent, state, tokens in/out/total, cost, idle and age', async () => {
    const o = io();
    await runSessions('list', parsed({}), fakeControl(), o, NOW);
    const lines = o.out().split('\n');
    expect(lines[0]).toMatch(/^KEY\s+AGENT\s+STATE\s+IN\s+OUT\s+TOTAL\s+COST\s+IDLE\s+AGE$/);
    expect(lines.find((l) => l.startsWith('agent:ops:loop'))).toMatch(/agent:ops:loop\s+ops\s+running\s+250,000\s+900\s+251,000\s+\$0\.7600\s+0s\s+2h$/);
    expect(lines.find((l) => l.startsWith('agent:main:fresh'))).toMatch(/idle\s+-\s+-\s+-\s+-\s+30s\s+1m$/);
  });

  it('rejects a bad --tokens value as a usage error', async () => {
    await expect(runSessions('list', parsed({ tokens: 'lots' }), fakeControl(), io(), NOW)).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('sessions stop|kill|pause|resume', () => {
  it('passes every key in order with --dry-run and prints one result per key', async () => {
    const control = fakeControl();
    const o = io();
    expect(await runSessions('kill', parsed({ 'dry-run': true, json: true }, ['b', 'a', 'c']), control, o, NOW)).toBe(0);
    expect(control.asked).toEqual([{ action: 'kill', keys: ['b', 'a', 'c'], dryRun: true }]);
    expect((JSON.parse(o.out()) as KeyResult[]).map((r) => r.key)).toEqual(['b', 'a', 'c']);
  });

  it.each<[KeyResult['status'], number]>([
    ['done', 0],
    ['noop', 0],
    ['refused', 1],
    ['failed', 1],
    ['unknown', 1],
  ])('exit code when one key is %s: %i', async (status, code) => {
    expect(await runSessions('stop', parsed({}, ['ok', 'odd']), fakeControl({ odd: status }), io(), NOW)).toBe(code);
  });
});

describe('sessions cleanup', () => {
  it('selects old, idle, non-main, non-running sessions only', () => {
    const picked = selectForCleanup(fleet, { ageMs: H, mode: 'archive', dryRun: true }, NOW).map((s) => s.key);
    expect(picked).toEqual(['agent:ops:idle']);
    expect(selectForCleanup(fleet, { ageMs: H, idleMs: 26 * H, mode: 'archive', dryRun: true }, NOW)).toEqual([]);
    expect(selectForCleanup(fleet, { ageMs: H, agent: 'main', mode: 'archive', dryRun: true }, NOW)).toEqual([]);
  });

  it('keeps already archived sessions out of archive mode but deletes them in delete mode', () => {
    const archived = [view('agent:ops:gone', { archived: true, startedAt: NOW - 5 * H })];
    expect(selectForCleanup(archived, { ageMs: H, mode: 'archive', dryRun: false }, NOW)).toEqual([]);
    expect(selectForCleanup(archived, { ageMs: H, mode: 'delete', dryRun: false }, NOW).map((s) => s.key)).toEqual(['agent:ops:gone']);
  });

  it('parses --age/--idle durations and --mode', async () => {
    const control = fakeControl();
    await runSessions('cleanup', parsed({ age: '1h', idle: '30m', mode: 'delete', 'dry-run': true }), control, io(), NOW);
    expect(control.asked).toEqual([{ ageMs: H, idleMs: 30 * 60_000, mode: 'delete', dryRun: true }]);
    await expect(runSessions('cleanup', parsed({ age: '1h', mode: 'shred' }), control, io(), NOW)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(runSessions('cleanup', parsed({ age: 'soon' }), control, io(), NOW)).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('the sessions command', () => {
  it.each([
    [[], /expected a subcommand/],
    [['halt', 'k'], /found "halt"/],
    [['stop'], /needs at least one session key/],
    [['cleanup'], /needs --age/],
    [['list', '--bogus'], /bogus/],
  ])('usage error for %j', async (argv, message) => {
    await expect(command.run(argv, io())).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(message) as string });
  });
});

describe('shortDuration', () => {
  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [61_000, '1m1s'],
    [3 * H + 5 * 60_000 + 9_000, '3h5m'],
    [50 * H, '2d2h'],
    [-1, '-'],
  ])('%i ms → %s', (ms, text) => {
    expect(shortDuration(ms)).toBe(text);
  });
});
