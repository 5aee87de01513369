import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createMetrics, type WardenMetrics } from '../../src/metrics/metrics.js';
import { view } from '../metrics/fixtures.js';
import { have, RULES } from './tools.js';

// A real Prometheus (Debian's package) scrapes a live HTTP endpoint serving the real metrics registry every second
// and evaluates the shipped rules (with `for:` shortened so the test takes seconds, expressions unchanged).

interface ActiveAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

const prometheus = have('prometheus');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.skipIf(!prometheus)('alert rules against a live Prometheus scraping clawwarden metrics', () => {
  let dir: string;
  let metrics: WardenMetrics;
  let target: Server;
  let server: ChildProcess | undefined;
  let api: string;
  let logs = '';

  async function alerts(): Promise<ActiveAlert[]> {
    const response = await fetch(`${api}/api/v1/alerts`);
    return ((await response.json()) as { data: { alerts: ActiveAlert[] } }).data.alerts;
  }

  async function waitFor(what: string, predicate: (firing: ActiveAlert[]) => boolean): Promise<ActiveAlert[]> {
    const deadline = Date.now() + 40_000;
    for (;;) {
      try {
        const firing = (await alerts()).filter((a) => a.state === 'firing');
        if (predicate(firing)) return firing;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; firing: ${JSON.stringify(firing.map((a) => a.labels))}\n${logs.slice(-2000)}`);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  const has = (firing: ActiveAlert[], labels: Record<string, string>): boolean =>
    firing.some((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawwarden-prom-'));
    metrics = createMetrics({ topSessions: 5, version: 'test' });
    target = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.statusCode = 404;
        res.end();
        return;
      }
      metrics.render().then((text) => {
        res.setHeader('content-type', metrics.contentType);
        res.end(text);
      }, () => {
        res.statusCode = 500;
        res.end();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;

    const rules = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Record<string, unknown>[] }[] };
    for (const rule of rules.groups.flatMap((g) => g.rules)) if ('for' in rule) rule['for'] = '0s';
    writeFileSync(join(dir, 'rules.yml'), stringify(rules));
    writeFileSync(join(dir, 'prometheus.yml'), stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(dir, 'rules.yml')],
      scrape_configs: [{ job_name: 'clawwarden', static_configs: [{ targets: [`127.0.0.1:${targetPort}`] }] }],
    }));

    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    server = spawn('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (c: Buffer) => (logs += c.toString()));
    server.stderr?.on('data', (c: Buffer) => (logs += c.toString()));
  });

  afterAll(async () => {
    if (server?.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await new Promise<void>((resolve) => target?.close(() => resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fires the source-down, action-failed, blast-radius, stale-sweep and budget alerts, and nothing for healthy series', async () => {
    metrics.declare({ policies: ['cap', 'daily'], notifiers: ['ops-email'] });
    metrics.setSourceUp('home', false);
    metrics.setSourceUp('lab', true);
    metrics.recordAction({ policy: 'cap', action: 'stop', result: 'failed', mode: 'enforce' });
    metrics.recordAction({ policy: 'cap', action: 'stop', result: 'done', mode: 'enforce' });
    metrics.recordAction({ policy: 'daily', action: 'pause', result: 'refused-blast-radius', mode: 'enforce' });
    metrics.sweepSucceeded(Date.now() - 10 * 60_000);
    metrics.updateFleet({
      sessions: [view('agent:main:loop', { budgets: [{ policy: 'cap', scope: 'session', subject: 'session agent:main:loop', ratio: 0.9 }] })],
      budgets: [
        { policy: 'daily', scope: 'agent', subject: 'agent backend', agent: 'backend', ratio: 1.3 },
        { policy: 'daily', scope: 'agent', subject: 'agent ops', agent: 'ops', ratio: 0.1 },
      ],
    });

    const firing = await waitFor('the alerts', (f) =>
      has(f, { alertname: 'ClawwardenSourceDown', source: 'home' }) &&
      has(f, { alertname: 'ClawwardenActionFailed', policy: 'cap', action: 'stop' }) &&
      has(f, { alertname: 'ClawwardenBlastRadiusRefusal', policy: 'daily' }) &&
      has(f, { alertname: 'ClawwardenSweepStale' }) &&
      has(f, { alertname: 'ClawwardenBudgetExceeded', policy: 'daily', agent: 'backend' }) &&
      has(f, { alertname: 'ClawwardenBudgetNearlyUsed', policy: 'cap', scope: 'session' }));
    expect(firing.filter((a) => a.labels['alertname'] === 'ClawwardenSourceDown').map((a) => a.labels['source'])).toEqual(['home']);
    expect(firing.filter((a) => a.labels['alertname'] === 'ClawwardenActionFailed').map((a) => a.labels['policy'])).toEqual(['cap']);
    expect(has(firing, { alertname: 'ClawwardenBudgetExceeded', agent: 'ops' })).toBe(false);
    expect(has(firing, { alertname: 'ClawwardenNotificationsFailing' })).toBe(false);
    expect(firing.every((a) => a.labels['job'] === 'clawwarden')).toBe(true);
  });

  it('fires on a notifier error counted after Prometheus already saw the series, and resolves a recovered source', async () => {
    metrics.recordNotification('ops-email', 'error');
    metrics.setSourceUp('home', true);
    metrics.sweepSucceeded(Date.now());
    const firing = await waitFor('notifier alert and recovery', (f) =>
      has(f, { alertname: 'ClawwardenNotificationsFailing', notifier: 'ops-email' }) &&
      !has(f, { alertname: 'ClawwardenSourceDown' }) &&
      !has(f, { alertname: 'ClawwardenSweepStale' }));
    expect(has(firing, { alertname: 'ClawwardenActionFailed', policy: 'cap' })).toBe(true);
  });
});
