import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'clawwarden-policytest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: readonly string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd });
  return { code, stdout, stderr };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

copyFileSync(join(ROOT, 'policies', 'token-caps.yaml'), join(dir, 'token-caps.yaml'));

describe('clawwarden test', () => {
  test('every shipped policy file has tests, and they all pass (exit 0)', async () => {
    const result = await cli(['test', 'policies/']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const shipped = readdirSync(join(ROOT, 'policies'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''));
    expect(shipped).toContain('heartbeat-abandoned');
    for (const file of shipped) {
      expect(existsSync(join(ROOT, 'policies', 'tests', `${file}.test.yaml`)), file).toBe(true);
      expect(result.stdout).toContain(`policies/tests/${file}.test.yaml`);
    }
    expect(result.stdout).toMatch(new RegExp(`${shipped.length} test files, \\d+ cases: \\d+ passed\\.\\n$`));
    expect(result.stdout).not.toContain('FAIL');
  }, 120_000);

  test('a failing case exits 1 and shows expected against actual', async () => {
    const file = write(
      'wrong.test.yaml',
      `policies: token-caps.yaml
tests:
  - name: the cap kills at once
    sessions:
      - { key: "agent:backend:x", active: true, usage: { input: 250k } }
    expect:
      - { policy: session-token-cap, session: "agent:backend:x", actions: [kill] }
  - name: nothing below the cap
    sessions:
      - { key: "agent:backend:y", usage: { input: 20k } }
    expect: nothing
`,
    );
    const result = await cli(['test', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL\s+\S*wrong\.test\.yaml:3\s+the cap kills at once/);
    expect(result.stdout).toMatch(/pass\s+\S*wrong\.test\.yaml:8\s+nothing below the cap/);
    expect(result.stdout).toContain('expected: session-token-cap on session agent:backend:x: [kill]');
    expect(result.stdout).toContain(
      'actual:   session-token-cap on session agent:backend:x: [notify(ops-chat), stop], kind violation, mode enforce — tokens.total 250,000 > 200,000 (policy session-token-cap)',
    );
    expect(result.stdout).toContain('1 passed, 1 failed');

    const json = JSON.parse((await cli(['test', file, '--json'])).stdout) as { ok: boolean; files: { cases: { ok: boolean; steps: { problems: { kind: string }[] }[] }[] }[] };
    expect(json.ok).toBe(false);
    expect(json.files[0]!.cases.map((c) => c.ok)).toEqual([false, true]);
    expect(json.files[0]!.cases[0]!.steps[0]!.problems[0]!.kind).toBe('differs');
  });

  test('a decision nobody expected, and one that never came, are both failures', async () => {
    const file = write(
      'both.test.yaml',
      `policies: token-caps.yaml
tests:
  - name: surprises
    sessions:
      - { key: "agent:backend:big", usage: { input: 300k } }
      - { key: "agent:backend:small", usage: { input: 3k } }
    expect:
      - { policy: session-token-cap, session: "agent:backend:small", actions: [notify(ops-chat), stop] }
`,
    );
    const result = await cli(['test', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('expected: session-token-cap on session agent:backend:small: [notify(ops-chat), stop]');
    expect(result.stdout).toContain('actual:   nothing decided');
    expect(result.stdout).toContain('expected: nothing from session-token-cap on session agent:backend:big');
  });

  test('a malformed test file exits 2 with file:line:column for every problem', async () => {
    const file = write(
      'broken.test.yaml',
      `policies: token-caps.yaml
tests:
  - name: typo
    sesions: []
    expect: nothing
  - name: bad value
    sessions:
      - key: "agent:a:b"
        usage: { input: lots }
    expect: nothing
`,
    );
    const result = await cli(['test', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.test\.yaml:4:5 tests\[0\]\.sesions: unknown key "sesions"/);
    expect(result.stderr).toMatch(/broken\.test\.yaml:9:25 tests\[1\]\.sessions\[0\]\.usage\.input: found "lots"/);
  });

  test('a policy file that does not exist, or a policy the config lacks, is a malformed file', async () => {
    expect((await cli(['test', write('nofile.test.yaml', 'policies: nope.yaml\ntests:\n  - { name: x, sessions: [], expect: nothing }\n')])).stderr).toMatch(
      /nofile\.test\.yaml:1:1 policies: no policy file matches "nope\.yaml"/,
    );
    const result = await cli([
      'test',
      write('nopolicy.test.yaml', 'policies: token-caps.yaml\ntests:\n  - name: x\n    sessions: []\n    expect:\n      - { policy: session-token-kap, session: k }\n'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expects policy "session-token-kap", which the config under test does not have');
  });

  test('the safety rules decide in tests as in the daemon: protected sessions and the blast radius hold actions back', async () => {
    const file = write(
      'safety.test.yaml',
      `policies: token-caps.yaml
safety:
  protect: ["agent:*:vip"]
  maxActionsPerSweep: 2
tests:
  - name: a protected session is never stopped without allowProtected
    sessions:
      - { key: "agent:backend:vip", active: true, usage: { input: 250k } }
    expect:
      - { policy: session-token-cap, session: "agent:backend:vip", actions: [notify(ops-chat)], held: [stop] }
  - name: three stops at once exceed a limit of two; nothing is done
    sessions:
      - { key: "agent:a:one", active: true, usage: { input: 250k } }
      - { key: "agent:a:two", active: true, usage: { input: 250k } }
      - { key: "agent:a:three", active: true, usage: { input: 250k } }
    expect:
      - { policy: session-token-cap, session: "agent:a:one", actions: [], held: [notify(ops-chat), stop] }
      - { policy: session-token-cap, session: "agent:a:two", actions: [], held: [notify(ops-chat), stop] }
      - { policy: session-token-cap, session: "agent:a:three", actions: [], held: [notify(ops-chat), stop] }
`,
    );
    const result = await cli(['test', file]);
    expect(result.stdout + result.stderr).not.toContain('FAIL');
    expect(result.code).toBe(0);
  });

  test('--init writes a starter test for a config that passes as written, and never overwrites one', async () => {
    const config = write(
      'clawwarden.yaml',
      `sources: [ { name: home, type: openclaw } ]
notifiers:
  ops-chat: { type: webhook, url: "https://hooks.example.com/x" }
policies: ./token-caps.yaml
`,
    );
    const first = await cli(['test', '--init', '--config', config], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Wrote clawwarden.test.yaml: 3 cases for 2 policies');
    const written = readFileSync(join(dir, 'clawwarden.test.yaml'), 'utf8');
    expect(written).toContain('config: clawwarden.yaml');
    expect(written).toContain('{ policy: session-token-cap, session: agent:starter:session-token-cap, actions: [ notify(ops-chat), stop ] }');
    const run = await cli(['test', 'clawwarden.test.yaml'], dir);
    expect(run.code).toBe(0);
    const again = await cli(['test', '--init', '--config', config], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; not overwriting it');
  });

  test('--init gives an idle.human policy a fixture with lastHuman, and the starter passes', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'clawwarden-init-human-'));
    copyFileSync(join(ROOT, 'policies', 'heartbeat-abandoned.yaml'), join(sub, 'heartbeat-abandoned.yaml'));
    writeFileSync(join(sub, 'clawwarden.yaml'), 'sources: [ { name: home, type: openclaw } ]\npolicies: ./heartbeat-abandoned.yaml\n');
    const first = await cli(['test', '--init', '--config', join(sub, 'clawwarden.yaml')], sub);
    expect(first.stderr).toBe('');
    const written = readFileSync(join(sub, 'clawwarden.test.yaml'), 'utf8');
    expect(written).toMatch(/lastHuman: "?\d+d/);
    expect(written).toContain('{ policy: heartbeat-abandoned, session: agent:starter:heartbeat-abandoned, actions: [ notify, pause ] }');
    const run = await cli(['test', 'clawwarden.test.yaml'], sub);
    expect(run.stdout + run.stderr).not.toContain('FAIL');
    expect(run.code).toBe(0);
    rmSync(sub, { recursive: true, force: true });
  });

  test('usage mistakes are exit 2 with a hint', async () => {
    const result = await cli(['test', '--init']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--init needs --config FILE');
    expect((await cli(['test', 'no/such/dir'])).stderr).toContain('no/such/dir: no such file or directory');
  });
});
