import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookSink, until, type HookSink } from '../notifiers/fixtures.js';
import { freePort, has, have, startPrometheus, type LivePrometheus } from './tools.js';
import { ifAssigned } from '../if-assigned.js';

// The whole path: `clawwarden run` on the demo fleet with a blast-radius limit of 1, a real Prometheus scraping its
// /metrics with the shipped rules, and a webhook receiving its notifications.

const prometheus = have('prometheus');
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe.skipIf(!prometheus)('alert rules against a running clawwarden daemon', () => {
  let dir: string;
  let hook: HookSink;
  let daemon: ChildProcess | undefined;
  let server: LivePrometheus | undefined;
  let daemonLog = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawwarden-live-'));
    hook = await startHookSink();
    const port = await freePort();
    writeFileSync(
      join(dir, 'clawwarden.yaml'),
      `sources:
  - name: demo
    type: demo
    seed: 42
mode: enforce
schedule: "*/2 * * * * *"
stateDir: ${join(dir, 'state')}
http:
  listen: 127.0.0.1:${port}
safety:
  maxActionsPerSweep: 1
notifiers:
  chat: { type: webhook, url: "${hook.url}" }
policies:
  - name: session-token-cap
    when: { tokens.total: "> 200k" }
    do: [ stop ]
  - name: inefficient-sessions
    when:
      all:
        - tokens.input: "> 50k"
        - ratio.input_output: "> 40"
    do: [ pause ]
`,
    );
    daemon = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', '--config', join(dir, 'clawwarden.yaml')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (c: Buffer) => (daemonLog += c.toString()));
    daemon.stderr?.on('data', (c: Buffer) => (daemonLog += c.toString()));
    server = await startPrometheus(dir, `127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await server?.stop();
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon?.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
    await ifAssigned(hook)?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fires the blast-radius and budget alerts from real sweeps, and not the sweep or source alerts', async () => {
    const firing = await server!.waitFor(
      `blast-radius and budget alerts (daemon log: ${daemonLog.slice(-500)})`,
      (f) => has(f, { alertname: 'ClawwardenBlastRadiusRefusal', job: 'clawwarden' }) && has(f, { alertname: 'ClawwardenBudgetExceeded', policy: 'session-token-cap', scope: 'session' }),
    );
    expect(firing.filter((a) => a.labels['alertname'] === 'ClawwardenBlastRadiusRefusal').every((a) => ['session-token-cap', 'inefficient-sessions'].includes(a.labels['policy'] ?? ''))).toBe(true);
    expect(has(firing, { alertname: 'ClawwardenSweepStale' })).toBe(false);
    expect(has(firing, { alertname: 'ClawwardenSourceDown' })).toBe(false);
  });

  it('sends the blast-radius refusal to the webhook', async () => {
    await until(() => hook.requests.some((r) => (r.body as { kind?: string }).kind === 'blast-radius'));
    const body = hook.requests.find((r) => (r.body as { kind?: string }).kind === 'blast-radius')?.body as { title: string; result: string };
    expect(body.title).toMatch(/^\[clawwarden\] Refused \d+ actions — blast-radius limit 1 per sweep exceeded/);
    expect(body.result).toBe('refused-blast-radius');
  });
});
