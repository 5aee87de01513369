import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/domain/secret.js';
import { TOKEN, startFixtureServer } from './harness.js';

let srv: Awaited<ReturnType<typeof startFixtureServer>> | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const pause = '/api/v1/sessions/agent%3Amain%3Amain/pause';

describe('bearer token on writes', () => {
  it.each([
    ['no header', undefined, 401, 'Authorization: Bearer'],
    ['wrong token', `Bearer ${TOKEN}x`, 401, 'the API token is wrong'],
    ['shorter token', 'Bearer tok', 401, 'the API token is wrong'],
    ['basic scheme', `Basic ${TOKEN}`, 401, 'Authorization: Bearer'],
    ['right token', `Bearer ${TOKEN}`, 200, undefined],
    ['right token, lower-case scheme', `bearer ${TOKEN}`, 200, undefined],
  ])('%s → %i', async (_name, header, status, message) => {
    srv = await startFixtureServer();
    const res = await fetch(srv.base + pause, { method: 'POST', headers: header === undefined ? {} : { Authorization: header } });
    const body = (await res.json()) as { error?: { message: string } };
    expect(res.status).toBe(status);
    if (message !== undefined) {
      expect(body.error!.message).toContain(message);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(srv.view.calls.filter((c) => c.method === 'act')).toHaveLength(status === 200 ? 1 : 0);
  });

  it('refuses every write with 403 and how to configure a token when none is set', async () => {
    srv = await startFixtureServer({ noToken: true });
    for (const path of [pause, '/api/v1/cleanup']) {
      const res = await fetch(srv.base + path, { method: 'POST', headers: { Authorization: 'Bearer anything' } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('set http.token');
    }
    expect(srv.view.calls.filter((c) => c.method === 'act' || c.method === 'cleanup')).toHaveLength(0);
  });

  it('an empty configured token does not open writes', async () => {
    srv = await startFixtureServer({ token: new Secret('', 'env:EMPTY') });
    const res = await fetch(srv.base + pause, { method: 'POST', headers: { Authorization: 'Bearer ' } });
    expect(res.status).toBe(403);
  });

  it('reads need no token', async () => {
    srv = await startFixtureServer();
    expect((await fetch(`${srv.base}/api/v1/sessions`)).status).toBe(200);
  });
});

describe('secrets never leave', () => {
  it('keeps the API token out of every response, even when the view quotes it', async () => {
    srv = await startFixtureServer();
    // A careless adapter message and a Secret inside a policy's raw form: both must come out redacted.
    srv.view.policiesRaw = { notify: new Secret(TOKEN, 'env:X'), note: `token is ${TOKEN}` };
    srv.view.entries = [{ seq: 1, time: '2026-01-01T00:00:00Z', type: 'source', reason: `auth failed with ${TOKEN}`, session: 'agent:main:main' }];
    srv.view.outcome = (action, key) => ({ key, action, status: 'refused', detail: `gateway rejected ${TOKEN}` });
    const bodies: string[] = [];
    for (const [path, init] of [
      ['/api/v1/policies', {}],
      ['/api/v1/journal', {}],
      ['/api/v1/sessions/agent%3Amain%3Amain', {}],
      [pause, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } }],
      [pause, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}0` } }],
    ] as const) {
      bodies.push(await (await fetch(srv.base + path, init)).text());
    }
    expect(bodies.join('\n')).toContain('[redacted]');
    for (const body of bodies) expect(body).not.toContain(TOKEN);
  });
});

describe('CORS', () => {
  it('is closed by default: no CORS headers and preflights refused', async () => {
    srv = await startFixtureServer();
    const res = await fetch(`${srv.base}/api/v1/sessions`, { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(srv.base + pause, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers only the configured origins', async () => {
    srv = await startFixtureServer({ corsOrigins: ['https://grafana.example'] });
    const ok = await fetch(srv.base + pause, { method: 'OPTIONS', headers: { Origin: 'https://grafana.example', 'Access-Control-Request-Method': 'POST' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://grafana.example');
    expect(ok.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    const other = await fetch(`${srv.base}/api/v1/sessions`, { headers: { Origin: 'https://grafana.example.evil' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('loopback Host check', () => {
  const get = (port: number, host: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/v1/sessions', headers: { Host: host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });

  it.each([
    ['127.0.0.1:9464', 200],
    ['localhost', 200],
    ['[::1]:9464', 200],
    ['rebound.evil.example', 403],
    ['127.evil.example', 403],
  ])('Host %s → %i', async (host, status) => {
    srv = await startFixtureServer();
    expect(await get(Number(new URL(srv.base).port), host)).toBe(status);
  });
});

describe('console headers', () => {
  it('serves the console with a CSP that allows only its own scripts', async () => {
    srv = await startFixtureServer();
    const res = await fetch(`${srv.base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    // No inline script: every <script> has a src.
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull();
    expect(html).not.toMatch(/https?:\/\//);
  });

  // The asset list is fixed (no path from a request ever reaches the disk), so it must name every file the folder ships.
  it.each(readdirSync(new URL('../../console/', import.meta.url)).map((f) => (f === 'index.html' ? '/' : `/${f}`)))('serves %s', async (path) => {
    srv = await startFixtureServer();
    const res = await fetch(srv.base + path);
    expect(res.status).toBe(200);
    expect((await res.text()).length).toBeGreaterThan(20);
  });
});
