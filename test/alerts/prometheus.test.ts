import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type WardenMetrics } from '../../src/metrics/metrics.js';
import { view } from '../metrics/fixtures.js';
import { has, have, startPrometheus, type LivePrometheus } from './tools.js';
import { ifAssigned } from '../if-assigned.js';

// A real Prometheus scrapes an HTTP endpoint serving the real metrics registry, driven directly, so every alert
// can be provoked on demand (daemon.test.ts covers the same rules against a running clawwarden).

const prometheus = have('prometheus');

describe.skipIf(!prometheus)('alert rules against a live Prometheus scraping the metrics registry', () => {
  let dir: string;
  let metrics: WardenMetrics;
  let target: Server;
  let server: LivePrometheus | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawwarden-prom-'));
    metrics = createMetrics({ topSessions: 5, version: 'test' });
    target = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.statusCode = 404;
        res.end();
        return;
      }
      void metrics.render().then((text) => {
        res.setHeader('content-type', metrics.contentType);
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    server = await startPrometheus(dir, `127.0.0.1:${(target.address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    await server?.stop();
    await new Promise<void>((resolve) => ifAssigned(target)?.close(() => resolve()));
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

    const firing = await server!.waitFor(
      'the alerts',
      (f) =>
        has(f, { alertname: 'ClawwardenSourceDown', source: 'home' }) &&
        has(f, { alertname: 'ClawwardenActionFailed', policy: 'cap', action: 'stop' }) &&
        has(f, { alertname: 'ClawwardenBlastRadiusRefusal', policy: 'daily' }) &&
        has(f, { alertname: 'ClawwardenSweepStale' }) &&
        has(f, { alertname: 'ClawwardenBudgetExceeded', policy: 'daily', agent: 'backend' }) &&
        has(f, { alertname: 'ClawwardenBudgetNearlyUsed', policy: 'cap', scope: 'session' }),
    );
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
    const firing = await server!.waitFor(
      'notifier alert and recovery',
      (f) => has(f, { alertname: 'ClawwardenNotificationsFailing', notifier: 'ops-email' }) && !has(f, { alertname: 'ClawwardenSourceDown' }) && !has(f, { alertname: 'ClawwardenSweepStale' }),
    );
    expect(has(firing, { alertname: 'ClawwardenActionFailed', policy: 'cap' })).toBe(true);
  });
});
