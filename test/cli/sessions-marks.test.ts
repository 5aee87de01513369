import { describe, expect, it } from 'vitest';
import { runSessions } from '../../src/cli/commands/sessions.js';
import type { SessionControl, SessionView } from '../../src/cli/sessions/control.js';
import type { CommandIO } from '../../src/cli/command.js';
import type { SessionMark } from '../../src/domain/mark.js';

const NOW = Date.UTC(2026, 10, 24, 12);
const H = 3_600_000;
const mark: SessionMark = { policy: 'delete-old-archived', action: 'delete', at: NOW - H, due: NOW + 23 * H + 59 * 60_000, reason: 'age 40d > 30d' };

function view(key: string, over: Partial<SessionView> = {}): SessionView {
  return { source: 'gw', key, generation: `g-${key}`, agent: key.split(':')[1]!, main: false, archived: false, active: false, startedAt: NOW - 2 * H, lastActivityAt: NOW - H, ...over };
}

function control(fleet: SessionView[], unmarked: Record<string, SessionMark[] | undefined> = {}): SessionControl & { asked: string[] } {
  const asked: string[] = [];
  return {
    target: 'fake',
    asked,
    list: async () => fleet,
    act: async () => [],
    cleanup: async () => [],
    unmark: async (key) => {
      asked.push(key);
      const cancelled = unmarked[key];
      return cancelled === undefined ? undefined : { key, cancelled };
    },
    close: async () => {},
  };
}

function io(): CommandIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {}, cwd: '/', out: () => out, err: () => err };
}

describe('sessions list and unmark with marks', () => {
  it('adds a MARKED column with the countdown only when some session is marked', async () => {
    const out = io();
    await runSessions('list', { values: {}, positionals: [] }, control([view('agent:a:old', { marks: [mark] }), view('agent:a:new')]), out, NOW);
    const [header, ...rows] = out.out().trimEnd().split('\n');
    expect(header).toMatch(/MARKED$/);
    expect(rows.find((r) => r.startsWith('agent:a:old'))).toMatch(/delete in 23h59m \(delete-old-archived\)$/);
    expect(rows.find((r) => r.startsWith('agent:a:new'))).toMatch(/ -$/);
    const plain = io();
    await runSessions('list', { values: {}, positionals: [] }, control([view('agent:a:new')]), plain, NOW);
    expect(plain.out()).not.toContain('MARKED');
  });

  it('unmark says what it cancelled, that nothing was marked, or that a key is unknown (exit 1)', async () => {
    const c = control([], { 'agent:a:old': [mark], 'agent:a:new': [] });
    const out = io();
    expect(await runSessions('unmark', { values: {}, positionals: ['agent:a:old', 'agent:a:new'] }, c, out, NOW)).toBe(0);
    expect(out.out()).toBe(`agent:a:old  unmarked: will not delete at ${new Date(mark.due).toISOString()} (policy delete-old-archived)\nagent:a:new  not marked: nothing to cancel\n`);
    const missing = io();
    expect(await runSessions('unmark', { values: {}, positionals: ['agent:a:gone'] }, c, missing, NOW)).toBe(1);
    expect(missing.out()).toBe('agent:a:gone  no such session or mark\n');
    expect(c.asked).toEqual(['agent:a:old', 'agent:a:new', 'agent:a:gone']);
  });

  it("unmark straight to the gateway says marks are the daemon's", async () => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- unmark is taken out to be dropped, never called
    const { unmark: _, ...direct } = control([]);
    const out = io();
    expect(await runSessions('unmark', { values: {}, positionals: ['agent:a:old'] }, direct, out, NOW)).toBe(1);
    expect(out.err()).toMatch(/marks are kept by the running daemon/);
  });
});
