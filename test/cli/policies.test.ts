import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { describeWhen } from '../../src/cli/commands/policies.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], files: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'clawwarden-policies-'));
  dirs.push(cwd);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd });
  return { code, stdout, stderr };
}

const CONFIG = `sources:
  - name: demo
    type: demo
mode: enforce
notifiers:
  ops-chat: { type: webhook, url: "https://hooks.example.com/x" }
policies:
  - name: session-token-cap
    description: Stop any session past 200k tokens; kill it if it keeps going.
    when: { tokens.total: "> 200k" }
    do: [ { notify: ops-chat }, stop ]
    escalate:
      - after: 5m
        if: active
        do: kill
    cooldown: 30m
  - name: team-daily-budget
    scope: agent
    window: { every: day, at: "00:00", tz: Europe/Berlin }
    when: { cost: "> $25" }
    warn: 80%
    mode: dry-run
    do: [ notify, pause ]
`;

test('explains each policy: scope, window, when in words, do, escalate, cooldown, warn, mode', async () => {
  const { code, stdout } = await run(['policies'], { 'clawwarden.yaml': CONFIG });
  expect(code).toBe(0);
  expect(stdout).toBe(`session-token-cap  (clawwarden.yaml:8:5)
  Stop any session past 200k tokens; kill it if it keeps going.
  scope     each session
  when      total tokens more than 200k
  do        notify(ops-chat), stop
  escalate  after 5m, if still active: kill
  cooldown  30m before it acts on the same session again
  mode      enforce (global)

team-daily-budget  (clawwarden.yaml:17:5)
  scope     each agent (sum of its sessions), per day from 00:00 Europe/Berlin
  when      cost more than $25
  warn      notify once at 80% of the threshold
  do        notify, pause
  mode      dry-run (set by the policy)
`);
});

test('--json gives the same explanation as data', async () => {
  const { code, stdout } = await run(['policies', '--json'], { 'clawwarden.yaml': CONFIG });
  expect(code).toBe(0);
  const { policies } = JSON.parse(stdout) as { policies: Record<string, unknown>[] };
  expect(policies.map((p) => p['name'])).toEqual(['session-token-cap', 'team-daily-budget']);
  expect(policies[0]).toMatchObject({
    scope: 'session',
    whenText: 'total tokens more than 200k',
    do: ['notify(ops-chat)', 'stop'],
    escalate: [{ after: '5m', ifActive: true, do: ['kill'] }],
    cooldown: '30m',
    mode: 'enforce',
    modeFrom: 'global',
  });
  expect(policies[1]).toMatchObject({ scope: 'agent', window: { every: 'day', at: '00:00', tz: 'Europe/Berlin' }, warn: '80%', mode: 'dry-run', modeFrom: 'policy' });
});

test('--demo lists the embedded policies', async () => {
  const { code, stdout } = await run(['policies', '--demo']);
  expect(code).toBe(0);
  for (const name of ['session-token-cap', 'inefficient-sessions', 'idle-cleanup', 'burn-rate', 'agent-daily-budget']) expect(stdout).toMatch(new RegExp(`^${name} {2}\\(<demo>:\\d+:\\d+\\)$`, 'm'));
});

test('config errors: exit 2', async () => {
  const { code, stderr } = await run(['policies'], { 'clawwarden.yaml': CONFIG.replace('do: [ notify, pause ]', 'do: [ notify, paus ]') });
  expect(code).toBe(2);
  expect(stderr).toContain('clawwarden.yaml:23:19 policies[1] "team-daily-budget" › do[1]: unknown action "paus"');
});

test('unknown flag: exit 2', async () => {
  const { code, stderr } = await run(['policies', '--all']);
  expect(code).toBe(2);
  expect(stderr).toContain("Unknown option '--all'");
});

test.each([
  [{ 'tokens.total': '> 200k' }, 'total tokens more than 200k'],
  [{ all: [{ 'tokens.input': '> 50k' }, { 'ratio.input_output': '> 40' }] }, 'all of (input tokens more than 50k; input/output ratio more than 40)'],
  [{ any: [{ idle: '>= 24h' }, { age: '< 7d' }] }, 'any of (idle for at least 24h; session age less than 7d)'],
  [{ not: { active: true } }, 'not (a run is in progress)'],
  [{ active: false }, 'no run in progress'],
  [{ state: ['paused', 'held'] }, 'state is paused or held'],
  [{ burn: { tokens: '> 20k', per: '1m' } }, 'burning more than 20k tokens per 1m'],
  [{ burn: { cost: '> $1', per: '10m' } }, 'burning more than $1 per 10m'],
  [{ runtime: '<= 1h', cost: '== $0' }, 'current run time at most 1h and cost exactly $0'],
])('when %j reads "%s"', (when, words) => {
  expect(describeWhen(when)).toBe(words);
});
