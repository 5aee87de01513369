import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { colorWanted, palette } from '../../src/cli/color.js';
import type { CommandIO } from '../../src/cli/command.js';
import { runSessions } from '../../src/cli/commands/sessions.js';
import { COMMANDS } from '../../src/cli/index.js';
import { main } from '../../src/cli/main.js';
import type { KeyResult, SessionControl, SessionView } from '../../src/cli/sessions/control.js';
import { resultWord, resultsText } from '../../src/cli/sessions/format.js';
import { renderTable } from '../../src/cli/table.js';
import { Journal } from '../../src/state/journal.js';

async function cli(argv: string[], over: Partial<CommandIO> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {}, cwd: '/', ...over });
  return { code, out, err };
}

const ESC = '\u001b[';

describe('the command index', () => {
  it('lists each command with the name and summary its module declares, alphabetised', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect([command.name, command.summary]).toEqual([entry.name, entry.summary]);
    }
    expect(COMMANDS.map((c) => c.name)).toEqual([...COMMANDS.map((c) => c.name)].sort());
  });
});

describe('mistyped commands and help', () => {
  it.each([
    [['sesions', 'list'], 'unknown command "sesions"; did you mean "sessions"?'],
    [['chekc'], 'unknown command "chekc"; did you mean "check"?'],
    [['help', 'valdate'], 'unknown command "valdate"; did you mean "validate"?'],
  ])('%j suggests the command meant', async (argv, message) => {
    const { code, err } = await cli(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain('clawwarden help <command>');
  });

  it('says nothing it cannot back up for a word far from any command', async () => {
    const { err } = await cli(['frobnicate']);
    expect(err).toContain('unknown command "frobnicate"\n');
  });

  it.each([
    [['sessions', 'stpo', 'agent:a:b'], 'found "stpo"; did you mean "stop"?'],
    [['sessions', 'lsit'], 'found "lsit"; did you mean "list"?'],
    [['sessions', 'list', '--tokns', '5'], 'unknown option --tokns; did you mean --tokens?'],
  ])('%j suggests the subcommand or option meant', async (argv, message) => {
    const { code, err } = await cli(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it("`help CMD` prints that command's help, exit 0", async () => {
    const { code, out } = await cli(['help', 'sessions']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage:\n {2}clawwarden sessions list/);
    const run = await cli(['help', 'run']);
    expect(run.out).toContain('--listen HOST:PORT');
  });

  it('`help` alone prints the overview with the npx hint, exit 0', async () => {
    const { code, out } = await cli(['help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: clawwarden <command> [options]');
    expect(out).toContain('npx clawwarden check --demo');
  });
});

describe('plain errors for bad values', () => {
  it.each([
    [['sessions', 'list', '--demo', '--tokens', '-5'], '--tokens: found "-5": negative values make no sense here'],
    [['sessions', 'list', '--demo', '--tokens=-5'], '--tokens: found "-5": negative values make no sense here'],
    [['sessions', 'list', '--demo', '--tokens', 'lots'], '--tokens: found "lots"'],
    [['sessions', 'list', '--tokens'], '--tokens needs a value'],
  ])('%j', async (argv, message) => {
    const { code, err } = await cli(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).not.toContain('ambiguous');
  });
});

describe('sessions list --demo', () => {
  it('lists the built-in demo fleet in this process, biggest first', async () => {
    const { code, out } = await cli(['sessions', 'list', '--demo']);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^KEY\s+AGENT\s+STATE\s+IN\s+OUT\s+TOTAL\s+COST\s+IDLE\s+AGE$/);
    expect(lines[2]).toMatch(/^agent:backend:fix-flaky-tests\s+backend\s+running\s+[\d,]+/);
  });

  it('says "No sessions found" with the filters instead of an empty table', async () => {
    const { code, out } = await cli(['sessions', 'list', '--demo', '--agent', 'nobody']);
    expect(code).toBe(0);
    expect(out).toBe('No sessions found matching --agent nobody on the built-in demo fleet (in this process).\n');
  });

  it('refuses actions with --demo and says how to act on the demo', async () => {
    const { code, err } = await cli(['sessions', 'stop', 'agent:backend:fix-flaky-tests', '--demo']);
    expect(code).toBe(2);
    expect(err).toContain('--demo works with "sessions list" only');
    expect(err).toContain('npm start');
  });
});

describe('tables in a terminal', () => {
  it('fit the terminal width: columns are left out first, then the key is shortened; --wide shows all', async () => {
    const narrow = await cli(['sessions', 'list', '--demo'], { columns: 80 });
    const lines = narrow.out.trimEnd().split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(lines[0]).not.toMatch(/\bIN\b/);
    expect(lines[2]).toMatch(/^agent:backend:fix-flaky-tests /);
    expect(lines.at(-1)).toBe('(IN, OUT, AGE left out to fit 80 columns; --wide shows every column)');
    const tiny = await cli(['sessions', 'list', '--demo'], { columns: 40 });
    expect(tiny.out).toMatch(/^agent:backend… {2}running/m);
    for (const line of tiny.out.trimEnd().split('\n').slice(0, -1)) expect(line.length, line).toBeLessThanOrEqual(40);
    const wide = await cli(['sessions', 'list', '--demo', '--wide'], { columns: 80 });
    expect(wide.out.split('\n')[0]).toMatch(/^KEY\s+AGENT\s+STATE\s+IN\s+OUT\s+TOTAL\s+COST\s+IDLE\s+AGE$/);
  });

  it('journal fits too, and says so when nothing matched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-journal-'));
    try {
      const journal = await Journal.open(dir, { maxBytes: 1_000_000, keep: 1 });
      await journal.append({
        type: 'action',
        policy: 'session-token-cap',
        session: 'agent:backend:fix-flaky-tests',
        action: 'stop',
        result: 'done',
        mode: 'enforce',
        reason: 'tokens.total 356,256 > 200,000 (policy session-token-cap)',
        detail: 'aborted run 0f3c2a9e-1b7d-4c55-9a0e-6f1d2b3c4d5e',
      });
      await journal.close();
      const narrow = await cli(['journal', '--state-dir', dir], { columns: 100 });
      for (const line of narrow.out.trimEnd().split('\n').slice(0, -1)) expect(line.length, line).toBeLessThanOrEqual(100);
      expect(narrow.out).toContain('…');
      const wide = await cli(['journal', '--state-dir', dir, '--wide'], { columns: 100 });
      expect(wide.out).toContain('aborted run 0f3c2a9e-1b7d-4c55-9a0e-6f1d2b3c4d5e');
      const none = await cli(['journal', '--state-dir', dir, '--session', 'agent:nobody:x']);
      expect(none.out).toBe(`No journal entries in ${dir} for agent:nobody:x.\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('check fits as well, with --wide for the whole plan', async () => {
    const narrow = await cli(['check', '--demo'], { columns: 100, cwd: tmpdir() });
    expect(narrow.code).toBe(1);
    const table = narrow.out.split('\n\n')[0]!.split('\n');
    for (const line of table.filter((l) => !l.startsWith('('))) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(table[0]).toMatch(/^POLICY\s+SUBJECT\s+ACTIONS\s+REASON$/);
    const wide = await cli(['check', '--demo', '--wide'], { columns: 100, cwd: tmpdir() });
    expect(wide.out.split('\n')[0]).toMatch(/^POLICY\s+SUBJECT\s+ACTIONS\s+MODE\s+REASON$/);
  });

  it('renderTable shortens the widest shrinkable column with an ellipsis', () => {
    const text = renderTable(['KEY', 'N'], [['abcdefghijklmnopqrstuvwxyz', '1']], ['left', 'right'], { width: 15, shrink: [0] });
    expect(text.split('\n')[2]).toBe('abcdefghijk…  1');
  });

  it('colours only a terminal, and never with NO_COLOR', async () => {
    expect(colorWanted(true, {})).toBe(true);
    expect(colorWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted(true, { NO_COLOR: '' })).toBe(true);
    expect(colorWanted(false, {})).toBe(false);
    expect(colorWanted(undefined, {})).toBe(false);
    const coloured = await cli(['sessions', 'list', '--demo'], { color: true });
    expect(coloured.out).toContain(`${ESC}32mrunning`);
    const plain = await cli(['sessions', 'list', '--demo'], { color: false });
    expect(plain.out).not.toContain(ESC);
    expect(palette(false).red('x')).toBe('x');
  });
});

describe('results read as what happened', () => {
  const r = (over: Partial<KeyResult>): KeyResult => ({ key: 'agent:qa:main', action: 'pause', status: 'done', detail: '', ...over });

  it.each<[Partial<KeyResult>, string]>([
    [{ status: 'done', detail: 'archived' }, 'paused'],
    [{ status: 'done', hold: true, detail: 'held: a main session cannot be archived, so clawwarden aborts any run that starts on it' }, 'paused (held)'],
    [{ status: 'noop', detail: 'already archived' }, 'already paused'],
    [{ status: 'noop', detail: 'already held since 2026-11-24 12:00:00 by api: requested by api' }, 'already held'],
    [{ action: 'stop', status: 'noop', detail: 'no active run' }, 'nothing to stop'],
    [{ action: 'stop', status: 'done', detail: 'aborted run 1' }, 'stopped'],
    [{ action: 'resume', status: 'noop', detail: 'not archived' }, 'not paused'],
    [{ action: 'kill', status: 'planned', detail: 'would kill (running)' }, 'would kill'],
    [{ status: 'unknown', detail: 'no session x; did you mean y?' }, 'no such session'],
    [{ status: 'refused', detail: 'session is protected' }, 'refused'],
  ])('%o → %s', (over, word) => {
    expect(resultWord(r(over))).toBe(word);
  });

  it('prints KEY, RESULT and only the detail that adds something', () => {
    const text = resultsText([r({ status: 'noop', detail: 'already archived' }), r({ key: 'agent:qa:x', status: 'refused', detail: 'session agent:qa:x is protected (safety.protect)' })]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^KEY\s+RESULT\s+DETAIL$/);
    expect(lines[2]).toMatch(/^agent:qa:main\s+already paused$/);
    expect(lines[3]).toMatch(/^agent:qa:x\s+refused\s+session agent:qa:x is protected/);
    expect(text).not.toContain('done —');
  });

  it('says so when a cleanup matched nothing', async () => {
    const control: SessionControl = {
      target: 'fake',
      list: async (): Promise<SessionView[]> => [],
      act: async () => [],
      cleanup: async () => [],
      close: async () => {},
    };
    let out = '';
    await runSessions('cleanup', { values: { age: '1h' }, positionals: [] }, control, { stdout: (t) => (out += t), stderr: () => {}, env: {}, cwd: '/' }, Date.now());
    expect(out).toBe('Nothing to do: no session matched.\n');
  });
});
