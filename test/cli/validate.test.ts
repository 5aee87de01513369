import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `clawwarden …` in-process in a temp dir holding `files`. */
async function run(argv: string[], files: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'clawwarden-cli-'));
  dirs.push(cwd);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd });
  return { code, stdout, stderr };
}

const VALID = 'sources:\n  - name: demo\n    type: demo\npolicies:\n  - name: cap\n    when: { tokens.total: "> 200k" }\n    do: stop\n';
const BROKEN = 'sources:\n  - name: demo\n    type: demo\nmode: enforc\npolicies:\n  - name: cap\n    when: { tokens.totl: "> 200k" }\n    do: kil\n';

test('a valid config: exit 0 and a one-line summary', async () => {
  const { code, stdout, stderr } = await run(['validate'], { 'clawwarden.yaml': VALID });
  expect(code).toBe(0);
  expect(stdout).toBe('clawwarden.yaml: ok (1 source, 1 policy, 0 notifiers, mode enforce)\n');
  expect(stderr).toBe('');
});

test('errors: exit 2, every error with file:line:column and its code frame, then a count', async () => {
  const { code, stdout, stderr } = await run(['validate', '--config', 'clawwarden.yaml'], { 'clawwarden.yaml': BROKEN });
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.split('\n')).toEqual([
    'clawwarden.yaml:4:7 mode: unknown mode "enforc"; expected one of: enforce, dry-run (did you mean "enforce"?)',
    '  4 | mode: enforc',
    '    |       ^',
    expect.stringMatching(/^clawwarden\.yaml:7:13 policies\[0\] "cap" › when\.tokens\.totl: unknown condition "tokens\.totl"; expected one of: active, age, .* \(did you mean "tokens\.total"\?\)$/),
    '  7 |     when: { tokens.totl: "> 200k" }',
    '    |             ^',
    expect.stringMatching(/^clawwarden\.yaml:8:9 policies\[0\] "cap" › do: unknown action "kil"; expected one of: .*kill.* \(did you mean "kill"\?\)$/),
    '  8 |     do: kil',
    '    |         ^',
    '3 errors',
    '',
  ]);
});

test('--json prints the errors as data with their formatted text', async () => {
  const { code, stdout } = await run(['validate', '--json'], { 'clawwarden.yaml': BROKEN });
  expect(code).toBe(2);
  const report = JSON.parse(stdout) as { ok: boolean; errors: { code: string; line: number; column: number; path: string; text: string }[] };
  expect(report.ok).toBe(false);
  expect(report.errors.map((e) => [e.code, e.line, e.column, e.path])).toEqual([
    ['UNKNOWN_VALUE', 4, 7, 'mode'],
    ['UNKNOWN_KEY', 7, 13, 'policies[0] "cap" › when.tokens.totl'],
    ['UNKNOWN_VALUE', 8, 9, 'policies[0] "cap" › do'],
  ]);
  expect(report.errors[0]!.text).toContain('clawwarden.yaml:4:7 mode: unknown mode "enforc"');
});

test('--json on a valid config', async () => {
  const { code, stdout } = await run(['validate', '--json'], { 'clawwarden.yaml': VALID });
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ ok: true, policies: ['cap'], notifiers: [], mode: 'enforce', errors: [] });
});

test('no config file anywhere: exit 2 with where it looked', async () => {
  const { code, stderr } = await run(['validate']);
  expect(code).toBe(2);
  expect(stderr).toContain('no config file found (looked for clawwarden.yaml, /etc/clawwarden/config.yaml); pass --config FILE, or try --demo');
});

test.each([
  { argv: ['validate', '--cofig', 'x.yaml'], message: "Unknown option '--cofig'" },
  { argv: ['validate', 'extra'], message: "Unexpected argument 'extra'" },
  { argv: ['validate', '--config'], message: "Option '-c, --config <value>' argument missing" },
  { argv: ['validate', '--config', 'a.yaml', '--demo'], message: '--config and --demo exclude each other' },
])('usage error $argv: exit 2 and a clear message', async ({ argv, message }) => {
  const { code, stderr } = await run(argv);
  expect(code).toBe(2);
  expect(stderr).toContain(message);
  expect(stderr).toContain('Run "clawwarden validate --help" for usage.');
});

test('--demo validates the embedded demo config', async () => {
  const { code, stdout } = await run(['validate', '--demo']);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^<demo>: ok \(1 source, \d+ policies, 0 notifiers, mode enforce\)\n$/);
});

const SECRETS = 'sources:\n  - name: home\n    type: openclaw\n    token: ${env:OPENCLAW_GATEWAY_TOKEN}\nhttp:\n  token: { file: "${env:CREDENTIALS_DIRECTORY}/api-token" }\n';

test('--no-secrets validates a config whose secrets are not here (unset variables, missing credential files)', async () => {
  const without = await run(['validate'], { 'clawwarden.yaml': SECRETS });
  expect(without.code).toBe(2);
  expect(without.stderr).toContain('environment variable OPENCLAW_GATEWAY_TOKEN is not set');
  const { code, stdout, stderr } = await run(['validate', '--no-secrets'], { 'clawwarden.yaml': SECRETS });
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: 'clawwarden.yaml: ok (1 source, 0 policies, 0 notifiers, mode enforce; secrets not read)\n', stderr: '' });
});

test('--no-secrets still checks the shape of every reference', async () => {
  const { code, stderr } = await run(['validate', '--no-secrets'], {
    'clawwarden.yaml': `${SECRETS}    # comment\n`.replace('${env:OPENCLAW_GATEWAY_TOKEN}', '"Bearer ${env:OPENCLAW_GATEWAY_TOKEN}"'),
  });
  expect(code).toBe(2);
  expect(stderr).toContain('clawwarden.yaml:4:12 sources[0] "home" › token: a ${env:NAME} reference must be the whole value');
});

test('warnings: exit 0, printed with their frame, counted in the summary', async () => {
  const config = `${VALID}    cooldown: 10s\n`;
  const { code, stdout, stderr } = await run(['validate'], { 'clawwarden.yaml': config });
  expect(code).toBe(0);
  expect(stdout).toBe('clawwarden.yaml: ok (1 source, 1 policy, 0 notifiers, mode enforce; 1 warning)\n');
  expect(stderr.split('\n')).toEqual([
    'clawwarden.yaml:8:15 policies[0] "cap" › cooldown: warning: cooldown 10s is shorter than the time between sweeps (1m): it only spaces out repeats triggered by usage events; every sweep may act again',
    '  8 |     cooldown: 10s',
    '    |               ^',
    '',
  ]);
  const json = JSON.parse((await run(['validate', '--json'], { 'clawwarden.yaml': config })).stdout) as { ok: boolean; warnings: { code: string; line: number }[] };
  expect(json.ok).toBe(true);
  expect(json.warnings.map((w) => [w.code, w.line])).toEqual([['BELOW_SWEEP', 8]]);
});

const BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefgh'.split('').map((x, i) => `${x}: &${x} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');

test.each<{ name: string; files: Record<string, string>; first: unknown }>([
  {
    name: 'an alias bomb',
    files: { 'clawwarden.yaml': `${VALID}${BOMB}\n` },
    first: 'clawwarden.yaml:9:8: aliases (*a) expand to more than 100 copies, the limit for config and policy files; write the values out',
  },
  {
    name: 'an alias bomb in a policy file',
    files: { 'clawwarden.yaml': 'sources:\n  - name: demo\n    type: demo\npolicies: ./*-policies.yaml\n', 'bomb-policies.yaml': `${BOMB}\n` },
    first: 'bomb-policies.yaml:2:8: aliases (*a) expand to more than 100 copies, the limit for config and policy files; write the values out',
  },
  {
    name: '10,000 nested lists',
    files: { 'clawwarden.yaml': `${VALID}x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n` },
    first: expect.stringMatching(/^clawwarden\.yaml:8:\d+: collections nest deeper than 64 levels, the limit for config and policy files$/),
  },
  { name: 'a config over 256 KiB', files: { 'clawwarden.yaml': `${VALID}${'#'.repeat(300 * 1024)}\n` }, first: 'clawwarden.yaml: config file is larger than 256 KiB (300.1 KiB)' },
  {
    name: 'a secret read from /dev/zero',
    files: { 'clawwarden.yaml': 'sources:\n  - name: home\n    type: openclaw\n    token: { file: /dev/zero }\n' },
    first: 'clawwarden.yaml:4:20 sources[0] "home" › token.file: secret file /dev/zero is not a regular file (character device)',
  },
])('$name: a config error, exit 2, no stack trace', async ({ files, first }) => {
  const { code, stdout, stderr } = await run(['validate'], files);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.split('\n')[0]).toEqual(first);
  expect(stderr).toMatch(/\n1 error\n$/);
  expect(stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
});

test('what a key would do to a terminal is shown, not done', async () => {
  const { code, stderr } = await run(['validate'], { 'clawwarden.yaml': VALID.replace('policies:', '"\u001b[2J\u001b[31mpolicy\u0000": 1\npolicies:') });
  expect(code).toBe(2);
  expect(stderr).not.toMatch(/(?![\t\n])\p{Cc}/u); // every control character but tab and newline
  expect(stderr).toContain('unknown key "\\x1b[2J\\x1b[31mpolicy\\x00"');
});
