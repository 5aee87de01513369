import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], files: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'clawwarden-check-'));
  dirs.push(cwd);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd });
  return { code, stdout, stderr };
}

const DEMO_SOURCE = 'sources:\n  - name: demo\n    type: demo\n';

describe('check --demo finds the demo fleet’s problems and explains each', () => {
  test('table: runaway, idle, inefficient and over-budget, each with its measured values; exit 1', async () => {
    const { code, stdout } = await run(['check', '--demo']);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^POLICY\s+SUBJECT\s+ACTIONS\s+MODE\s+REASON$/);
    const row = (policy: string, subject: string): string | undefined => lines.find((l) => l.startsWith(policy) && l.includes(subject));
    expect(row('session-token-cap', 'session agent:backend:fix-flaky-tests')).toMatch(/notify, stop\s+enforce\s+tokens\.total [\d,]+ > 200,000/);
    expect(row('idle-cleanup', 'session agent:archivist:weekly-digest')).toMatch(/cleanup\(archive\)\s+enforce\s+idle \S+ > /);
    expect(row('inefficient-sessions', 'session agent:researcher:market-scan')).toMatch(/notify, pause\s+enforce\s+tokens\.input [\d,]+ > 50,000; ratio\.input_output [\d.]+ > 40/);
    expect(row('agent-daily-budget', 'agent reporting')).toMatch(/notify, pause\s+enforce\s+cost \$[\d.,]+ > \$25\.00/);
    expect(stdout).toMatch(/\d+ decisions over \d+ sessions \(<demo>, mode enforce\); nothing was done\.\n$/);
  });

  test('--json: the decisions with targets, measurements and reasons', async () => {
    const { code, stdout } = await run(['check', '--demo', '--json']);
    expect(code).toBe(1);
    const plan = JSON.parse(stdout) as {
      file: string;
      sessions: number;
      decisions: { policy: string; subject: string; kind: string; reason: string; targets: { key: string }[]; measurements: { metric: string; value: number; threshold: number }[] }[];
    };
    expect(plan.file).toBe('<demo>');
    expect(plan.sessions).toBeGreaterThanOrEqual(13);
    const by = (policy: string) => plan.decisions.find((d) => d.policy === policy);
    expect(by('session-token-cap')!.targets.map((t) => t.key)).toEqual(['agent:backend:fix-flaky-tests']);
    expect(by('session-token-cap')!.measurements[0]).toMatchObject({ metric: 'tokens.total', threshold: 200_000 });
    expect(by('session-token-cap')!.measurements[0]!.value).toBeGreaterThan(200_000);
    expect(by('agent-daily-budget')!.subject).toBe('agent reporting');
    expect(by('agent-daily-budget')!.targets.length).toBeGreaterThan(1);
    expect(by('idle-cleanup')!.targets.map((t) => t.key)).toEqual(['agent:archivist:weekly-digest']);
    expect(by('inefficient-sessions')!.targets.map((t) => t.key)).toEqual(['agent:researcher:market-scan']);
  });
});

test('nothing over any threshold: exit 0 and says so', async () => {
  const config = `${DEMO_SOURCE}policies:\n  - name: huge-cap\n    when: { tokens.total: "> 1000M" }\n    do: stop\n`;
  const { code, stdout } = await run(['check'], { 'clawwarden.yaml': config });
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Nothing to do: \d+ sessions, 1 policies, no violations\.\n$/);
});

test('a dry-run policy shows its own mode; protected sessions show what safety would skip', async () => {
  const config = `${DEMO_SOURCE}safety:\n  protect: ["agent:backend:*"]\npolicies:\n  - name: trial\n    mode: dry-run\n    when: { tokens.total: "> 200k" }\n    do: kill\n`;
  const { code, stdout } = await run(['check'], { 'clawwarden.yaml': config });
  expect(code).toBe(1);
  expect(stdout).toMatch(
    /trial\s+session agent:backend:fix-flaky-tests\s+kill\s+dry-run\s+tokens\.total .*\(kill refused on agent:backend:fix-flaky-tests: session is protected \(safety\.protect\); policies never kill protected sessions\)/,
  );
});

test("the plan is the enforcer's: a batch past the blast radius is shown as refused whole", async () => {
  const config = `${DEMO_SOURCE}safety:\n  maxActionsPerSweep: 1\npolicies:\n  - name: everyone\n    when: { tokens.total: "> 0" }\n    do: pause\n`;
  const { code, stdout } = await run(['check', '--wide'], { 'clawwarden.yaml': config });
  expect(code).toBe(1);
  expect(stdout).toMatch(/Blast radius: \d+ actions exceed safety\.maxActionsPerSweep \(1\); the daemon would refuse all of them and alert\./);
  expect(stdout).toMatch(/pause refused on agent:\S+: blast radius: \d+ actions exceed safety\.maxActionsPerSweep \(1\)/);
});

test('config errors: exit 2 with each error located', async () => {
  const { code, stdout, stderr } = await run(['check'], { 'clawwarden.yaml': `${DEMO_SOURCE}schedule: "every minute"\n` });
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toContain('clawwarden.yaml:4:11 schedule: invalid cron expression "every minute"');
});

test('--json: config problems are data with their code (errors: exit 2; warnings beside the plan)', async () => {
  const broken = await run(['check', '--json'], { 'clawwarden.yaml': `${DEMO_SOURCE}policies:\n  - name: cap\n    scope: team\n    when: { cost: "> $5" }\n    do: stop\n` });
  expect(broken.code).toBe(2);
  const report = JSON.parse(broken.stdout) as { ok: boolean; errors: { code: string; line: number; column: number; path: string; message: string }[] };
  expect(report.ok).toBe(false);
  expect(report.errors.map((e) => [e.code, e.line, e.column, e.path, e.message])).toEqual([
    ['UNKNOWN_VALUE', 6, 12, 'policies[0] "cap" › scope', 'unknown scope "team"; expected one of: session, agent, fleet'],
  ]);

  const warned = await run(['check', '--json'], { 'clawwarden.yaml': `${DEMO_SOURCE}policies:\n  - name: cap\n    when: { tokens.total: "> 1000M" }\n    do: stop\n    cooldown: 30s\n` });
  expect(warned.code).toBe(0);
  expect(warned.stderr).toBe('');
  const plan = JSON.parse(warned.stdout) as { warnings: { code: string; line: number; column: number; path: string; severity: string; text: string }[] };
  expect(plan.warnings.map((w) => [w.code, w.line, w.column, w.path, w.severity])).toEqual([['BELOW_SWEEP', 8, 15, 'policies[0] "cap" › cooldown', 'warning']]);
  expect(plan.warnings[0]!.text).toMatch(/^clawwarden\.yaml:8:15 policies\[0\] "cap" › cooldown: warning: cooldown 30s is shorter than the time between sweeps/);
});

test('unknown flag: exit 2 with a clear message', async () => {
  const { code, stderr } = await run(['check', '--dmeo']);
  expect(code).toBe(2);
  expect(stderr).toContain("Unknown option '--dmeo'");
});

describe('the built CLI', () => {
  const bin = join(ROOT, 'dist', 'cli', 'main.js');
  beforeAll(async () => {
    // `npm test` builds first; build here only when run on its own against a missing or older build.
    const stale = ['check', 'policies', 'validate'].some((c) => {
      const built = join(ROOT, 'dist', 'cli', 'commands', `${c}.js`);
      return !existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, 'src', 'cli', 'commands', `${c}.ts`)).mtimeMs;
    });
    // tsc exits non-zero on type errors elsewhere but still emits; the assertions below judge the result.
    if (stale) await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch(() => undefined);
  }, 180_000);

  test.each([
    { argv: ['check', '--demo'], code: 1, out: /session-token-cap\s+session agent:backend:fix-flaky-tests/ },
    { argv: ['validate', '--demo'], code: 0, out: /^<demo>: ok/ },
    { argv: ['policies', '--demo'], code: 0, out: /^session-token-cap {2}\(<demo>:\d+:\d+\)/ },
    { argv: ['validate', '--config', 'nope.yaml'], code: 2, out: /^$/ },
  ])('node dist/cli/main.js $argv → exit $code', async ({ argv, code, out }) => {
    const result = await promisify(execFile)(process.execPath, [bin, ...argv], { cwd: tmpdir(), env: { PATH: process.env['PATH'] ?? '' } }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: unknown) => ({ code: (e as { code: number }).code, stdout: (e as { stdout: string }).stdout }),
    );
    expect(result.code).toBe(code);
    expect(result.stdout).toMatch(out);
  });
});
