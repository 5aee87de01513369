import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKEN, startFixtureServer } from './harness.js';

let srv: Awaited<ReturnType<typeof startFixtureServer>>;
beforeEach(async () => {
  srv = await startFixtureServer();
});
afterEach(async () => {
  await srv.close();
});

const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
/** The fields these tests read from the API's answers (every one optional: each test asserts the ones its route sends). */
interface Answer {
  status?: string;
  waiting?: string[];
  sessions?: unknown[];
  mode?: string;
  session?: { session: { key: string }; decisions: { reason: string }[] };
  entries?: { seq: number }[];
  next?: number;
  policies?: unknown[];
  outcomes?: unknown[];
  error?: { code: string; message: string; allowed?: string[]; outcomes?: { status: string }[] };
}

async function json(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: Answer }> {
  const res = await fetch(srv.base + path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? {} : JSON.parse(text)) as Answer };
}

describe('probes', () => {
  it('healthz answers without asking the view', async () => {
    srv.view.failing = { method: 'readiness', error: new Error('wedged') };
    const r = await json('/healthz');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ok');
  });

  it('readyz is 200 when every source is up and synced, 503 with the reason otherwise', async () => {
    expect((await json('/readyz')).status).toBe(200);
    srv.view.ready = {
      ready: false,
      configLoaded: true,
      demo: false,
      sources: [
        { name: 'home', up: true, synced: false },
        { name: 'lab', up: false, synced: false },
      ],
    };
    const r = await json('/readyz');
    expect(r.status).toBe(503);
    expect(r.body.waiting).toEqual(['source lab down', 'source home not synced']);
  });

  it('readyz does not trust ready:true when a source is down', async () => {
    srv.view.ready = { ready: true, configLoaded: true, demo: false, sources: [{ name: 'home', up: false, synced: true }] };
    expect((await json('/readyz')).status).toBe(503);
  });

  it('metrics serves the renderer output with its content type', async () => {
    const res = await fetch(`${srv.base}/metrics`);
    expect(res.headers.get('content-type')).toContain('version=0.0.4');
    expect(await res.text()).toContain('clawwarden_source_up{source="demo"} 1');
  });
});

describe('reads', () => {
  it('passes parsed filters to the view', async () => {
    const r = await json('/api/v1/sessions?agent=backend&state=idle&active=false&tokens=200k');
    expect(r.status).toBe(200);
    expect(r.body.sessions).toHaveLength(2);
    expect(r.body.mode).toBe('enforce');
    expect(srv.view.calls.at(-1)).toEqual({ method: 'sessions', args: [{ agent: 'backend', state: 'idle', active: false, tokens: 200_000 }] });
  });

  it('finds one session by its URL-encoded key, including slashes', async () => {
    srv.view.entries = [{ seq: 4, time: '2026-01-01T00:00:00Z', type: 'decision', session: 'agent:backend:job/1', reason: 'tokens.total 231,402 > 200,000' }];
    const r = await json(`/api/v1/sessions/${encodeURIComponent('agent:backend:job/1')}`);
    expect(r.status).toBe(200);
    expect(r.body.session?.session.key).toBe('agent:backend:job/1');
    expect(r.body.session?.decisions[0]?.reason).toContain('231,402');
  });

  it('answers 404 JSON for an unknown session', async () => {
    const r = await json('/api/v1/sessions/nope');
    expect(r.status).toBe(404);
    expect(r.body.error?.code).toBe('UNKNOWN_SESSION');
  });

  it('pages the journal and hands back the cursor for older entries', async () => {
    srv.view.entries = [5, 4, 3].map((seq) => ({ seq, time: '2026-01-01T00:00:00Z', type: 'action' as const, reason: `r${seq}` }));
    const r = await json('/api/v1/journal?limit=3&before=6&since=2026-01-01T00:00:00Z&session=a');
    expect(r.body.entries?.map((e) => e.seq)).toEqual([5, 4, 3]);
    expect(r.body.next).toBe(3);
    expect(srv.view.calls.at(-1)!.args[0]).toEqual({ limit: 3, before: 6, since: Date.parse('2026-01-01T00:00:00Z'), session: 'a' });
    const last = await json('/api/v1/journal?limit=10');
    expect(last.body.next).toBeUndefined();
  });

  it('lists policies', async () => {
    const r = await json('/api/v1/policies');
    expect(r.body.policies?.[0]).toMatchObject({ name: 'session-token-cap', scope: 'session' });
  });
});

describe('validation', () => {
  it.each([
    ['/api/v1/sessions?agnt=x', 'unknown query parameter "agnt"; allowed: agent, state, active, tokens'],
    ['/api/v1/sessions?state=sleeping', 'state must be one of: running, idle, stopped, paused, held, killed, archived'],
    ['/api/v1/sessions?active=yes', 'active must be true or false'],
    ['/api/v1/sessions?tokens=lots', 'tokens must be a non-negative number'],
    ['/api/v1/sessions?tokens=-5', 'tokens must be a non-negative number'],
    ['/api/v1/sessions?agent=a&agent=b', 'given more than once'],
    ['/api/v1/sessions?agent=', 'agent must be a non-empty string'],
    ['/api/v1/journal?limit=0', 'limit must be between 1 and 1000'],
    ['/api/v1/journal?limit=ten', 'limit must be an integer'],
    ['/api/v1/journal?before=x', 'before must be an integer'],
    ['/api/v1/journal?since=yesterday', 'since must be epoch milliseconds or an ISO timestamp'],
    ['/api/v1/policies?verbose=1', 'this route takes none'],
    ['/api/v1/sessions/%E0%A4%A', 'not valid URL encoding'],
  ])('GET %s → 400', async (path, message) => {
    const r = await json(path);
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toContain(message);
  });

  it('lists the allowed keys in an unknown-key answer', async () => {
    const r = await json('/api/v1/journal?page=2');
    expect(r.body.error?.allowed).toEqual(['limit', 'before', 'since', 'session']);
  });

  it.each([
    ['{"dry":true}', 400, 'unknown body key "dry"; allowed: dryRun'],
    ['{"dryRun":"yes"}', 400, 'dryRun must be true or false'],
    ['{not json', 400, 'body is not valid JSON'],
    ['[true]', 400, 'body must be a JSON object'],
  ])('POST body %s → %i', async (body, status, message) => {
    const r = await json('/api/v1/sessions/agent%3Amain%3Amain/pause', { method: 'POST', headers: auth, body });
    expect(r.status).toBe(status);
    expect(r.body.error?.message).toContain(message);
    expect(srv.view.calls.some((c) => c.method === 'act')).toBe(false);
  });

  it('refuses a body that is not declared JSON', async () => {
    const r = await json('/api/v1/sessions/k/pause', { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'text/plain' }, body: '{}' });
    expect(r.status).toBe(415);
  });

  it('refuses an oversized body', async () => {
    const r = await json('/api/v1/sessions/k/pause', { method: 'POST', headers: auth, body: JSON.stringify({ dryRun: true, pad: 'x'.repeat(20_000) }) });
    expect(r.status).toBe(413);
  });

  it.each([
    [{ age: '1h', mode: 'archive' }, 200, { ageMs: 3_600_000, mode: 'archive', dryRun: false, by: 'api', force: false }],
    [{ idle: '1h30m', agent: 'backend', mode: 'delete', dryRun: true }, 200, { idleMs: 5_400_000, agent: 'backend', mode: 'delete', dryRun: true, by: 'api', force: false }],
    [{ age: '1h', mode: 'archive', force: true, origin: 'console' }, 200, { ageMs: 3_600_000, mode: 'archive', dryRun: false, by: 'console', force: true }],
    [{ age: '1h', mode: 'archive', force: 'yes' }, 400, 'force must be true or false'],
    [{ age: '1h' }, 400, 'mode must be one of: archive, delete'],
    [{ mode: 'archive' }, 400, 'cleanup needs age or idle'],
    [{ age: '60', mode: 'archive' }, 400, 'age must be a duration like 30m'],
    [{ age: '0s', mode: 'archive' }, 400, 'longer than zero'],
    [{ age: '1h', mode: 'archive', forse: true }, 400, 'allowed: age, idle, agent, mode, dryRun, force, origin'],
  ])('cleanup %j → %i', async (body, status, expected) => {
    const r = await json('/api/v1/cleanup', { method: 'POST', headers: auth, body: JSON.stringify(body) });
    expect(r.status).toBe(status);
    if (typeof expected === 'string') expect(r.body.error?.message).toContain(expected);
    else expect(srv.view.calls.find((c) => c.method === 'cleanup')!.args[0]).toEqual(expected);
  });
});

describe('routing', () => {
  it('answers 404 JSON for an unknown route', async () => {
    const r = await json('/api/v2/sessions');
    expect(r.status).toBe(404);
    expect(r.body.error?.code).toBe('NOT_FOUND');
  });

  it.each([
    ['GET', '/api/v1/sessions/k/pause', 'POST'],
    ['DELETE', '/api/v1/sessions', 'GET, HEAD'],
    ['POST', '/metrics', 'GET, HEAD'],
    ['POST', '/api/v1/events', 'GET'],
  ])('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const r = await json(path, { method });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe(allow);
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await fetch(`${srv.base}/healthz`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.text()).toBe('');
  });

  it('answers 404 for an unknown action and names the allowed ones', async () => {
    const r = await json('/api/v1/sessions/k/explode', { method: 'POST', headers: auth });
    expect(r.status).toBe(404);
    expect(r.body.error?.message).toContain('expected one of: stop, kill, pause, resume');
  });
});

describe('actions', () => {
  it('runs the action through the view as the API, honouring dryRun', async () => {
    const r = await json('/api/v1/sessions/agent%3Amain%3Amain/pause', { method: 'POST', headers: auth, body: '{"dryRun":true}' });
    expect(r.status).toBe(200);
    expect(r.body.outcomes?.[0]).toMatchObject({ key: 'agent:main:main', action: 'pause', status: 'done' });
    expect(srv.view.calls.at(-1)).toEqual({ method: 'act', args: ['pause', ['agent:main:main'], { by: 'api', dryRun: true, force: false }] });
  });

  it.each([
    ['refused', 409, 'kill k refused: gateway said no'],
    ['failed', 502, 'kill k failed: gateway said no'],
    ['unknown-key', 404, 'gateway said no'],
  ] as const)('maps an outcome %s to %i with the reason', async (status, code, message) => {
    srv.view.outcome = (action, key) => ({ key, action, status, detail: 'gateway said no' });
    const r = await json('/api/v1/sessions/k/kill', { method: 'POST', headers: auth });
    expect(r.status).toBe(code);
    expect(r.body.error?.message).toBe(message);
    expect(r.body.error?.outcomes?.[0]?.status).toBe(status);
  });
});

describe('errors', () => {
  it('turns a view error into a 500 without its message or stack, and keeps serving', async () => {
    srv.view.failing = { method: 'sessions', error: new Error('db exploded at /secret/path') };
    const [bad, good] = await Promise.all([json('/api/v1/sessions'), json('/api/v1/policies')]);
    expect(bad.status).toBe(500);
    expect(bad.body.error?.code).toBe('INTERNAL');
    expect(JSON.stringify(bad.body)).not.toMatch(/exploded|secret\/path|at .*\.ts/);
    expect(good.status).toBe(200);
    expect(srv.log.lines.some((l) => l.level === 'error' && (l.obj as { err?: Error }).err?.message.includes('exploded'))).toBe(true);
    srv.view.failing = undefined;
    expect((await json('/api/v1/sessions')).status).toBe(200);
  });

  it('turns an async view error into a 500 too', async () => {
    srv.view.failing = { method: 'journal', error: new TypeError('boom') };
    expect((await json('/api/v1/journal')).status).toBe(500);
  });
});
