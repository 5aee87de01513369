import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN, startDemoWarden } from '../console/warden.js';
import { ifAssigned } from '../if-assigned.js';

/** The API over the real daemon on the demo fleet: filters, details, dry-run writes, journal paging, metrics, events. */
describe('HTTP API on the real daemon and demo fleet', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  beforeAll(async () => {
    warden = await startDemoWarden();
  });
  afterAll(async () => {
    await ifAssigned(warden)?.close();
  });

  interface View {
    state: string;
    session: { key: string; agent: string; active: boolean; archived: boolean };
    usage: { total: number };
    budgets: { policy: string; ratio: number }[];
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a read of a JSON answer typed as the route's documented shape, which the test then asserts
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(warden.base + path);
    return { status: res.status, body: (await res.json()) as T };
  };
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a read of a JSON answer typed as the route's documented shape, which the test then asserts
  const post = async <T>(path: string, body: object): Promise<{ status: number; body: T }> => {
    const res = await fetch(warden.base + path, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as T };
  };
  const all = async (): Promise<View[]> => (await get<{ sessions: View[] }>('/api/v1/sessions')).body.sessions;

  it('is ready once the demo source is connected and synced', async () => {
    const r = await get<{ ready: boolean; sources: { name: string; up: boolean; synced: boolean }[] }>('/readyz');
    expect(r.status).toBe(200);
    expect(r.body.sources).toEqual([{ name: 'demo', up: true, synced: true }]);
  });

  it.each([
    ['agent=reporting', (v: View) => v.session.agent === 'reporting'],
    ['tokens=100k', (v: View) => v.usage.total >= 100_000],
    ['state=idle', (v: View) => v.state === 'idle'],
    ['active=false', (v: View) => !v.session.active],
  ])('filters sessions by %s', async (query, holds) => {
    const everything = await all();
    const { status, body } = await get<{ sessions: View[] }>(`/api/v1/sessions?${query}`);
    expect(status).toBe(200);
    expect(body.sessions.length).toBeGreaterThan(0);
    expect(body.sessions.length).toBeLessThan(everything.length);
    expect(body.sessions.every(holds)).toBe(true);
  });

  it('shows one session with its budgets and decisions', async () => {
    const { status, body } = await get<{ session: View & { decisions: unknown[] } }>(`/api/v1/sessions/${encodeURIComponent('agent:backend:fix-flaky-tests')}`);
    expect(status).toBe(200);
    expect(body.session.budgets.map((b) => b.policy)).toEqual(['runaway-cap']);
    expect(Array.isArray(body.session.decisions)).toBe(true);
    expect((await get('/api/v1/sessions/agent%3Anobody%3Ahere')).status).toBe(404);
  });

  it('an action on a mistyped key is a 404 that suggests the right one', async () => {
    const r = await post<{ error: { message: string } }>(`/api/v1/sessions/${encodeURIComponent('agent:docs:api-referense')}/stop`, {});
    expect(r.status).toBe(404);
    expect(r.body.error.message).toBe('unknown session "agent:docs:api-referense"; did you mean "agent:docs:api-reference"?');
  });

  it('a dry-run pause is journaled as "would" and changes nothing', async () => {
    const key = 'agent:docs:api-reference';
    const r = await post<{ dryRun: boolean; outcomes: { key: string; status: string }[] }>(`/api/v1/sessions/${encodeURIComponent(key)}/pause`, { dryRun: true });
    expect(r.status).toBe(200);
    expect(r.body.outcomes).toEqual([expect.objectContaining({ key, action: 'pause', status: 'would' })]);
    expect((await all()).find((v) => v.session.key === key)!.session.archived).toBe(false);
    const journal = await get<{ entries: { action?: string; result?: string; by?: string }[] }>(`/api/v1/journal?session=${encodeURIComponent(key)}`);
    expect(journal.body.entries).toContainEqual(expect.objectContaining({ action: 'pause', result: 'would', by: 'api' }));
  });

  it('a dry-run cleanup names the idle session it would archive and archives nothing', async () => {
    const r = await post<{ outcomes: { key: string; status: string }[] }>('/api/v1/cleanup', { idle: '1d', mode: 'archive', dryRun: true });
    expect(r.status).toBe(200);
    expect(r.body.outcomes).toContainEqual(expect.objectContaining({ key: 'agent:archivist:weekly-digest', status: 'would' }));
    expect((await all()).filter((v) => v.session.archived)).toEqual([]);
  });

  it('pages the journal backwards with the returned cursor', async () => {
    const first = await get<{ entries: { seq: number }[]; next: number }>('/api/v1/journal?limit=1');
    expect(first.body.entries).toHaveLength(1);
    expect(first.body.next).toBe(first.body.entries[0]!.seq);
    const older = await get<{ entries: { seq: number }[] }>(`/api/v1/journal?limit=2&before=${first.body.next}`);
    expect(older.body.entries.length).toBeGreaterThan(0);
    expect(older.body.entries.every((e) => e.seq < first.body.next)).toBe(true);
  });

  it('lists the loaded policy and serves the metrics', async () => {
    const policies = await get<{ policies: { name: string; scope: string }[] }>('/api/v1/policies');
    expect(policies.body.policies).toEqual([expect.objectContaining({ name: 'runaway-cap', scope: 'session' })]);
    const metrics = await (await fetch(`${warden.base}/metrics`)).text();
    expect(metrics).toMatch(/^clawwarden_source_up\{source="demo"\} 1$/m);
  });

  it('streams live updates from the running fleet', async () => {
    const controller = new AbortController();
    const res = await fetch(`${warden.base}/api/v1/events`, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    // The runaway makes a model call every ~400 ms, so a sessions or journal event comes quickly.
    while (!/event: (sessions|journal|decision)\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(/event: (sessions|journal|decision)\ndata: \{/);
  });
});
