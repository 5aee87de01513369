import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN, startDemoWarden } from '../console/warden.js';
import { ifAssigned } from '../if-assigned.js';

// The hardening issue's scenario: a bulk cleanup with a tiny blast-radius limit and a protected agent.
const CONFIG = `
sources:
  - name: demo
    type: demo
    seed: 42
mode: enforce
schedule: "0 0 1 1 *"
http:
  listen: 127.0.0.1:0
safety:
  maxActionsPerSweep: 2
  protect: ["agent:backend:*"]
policies: []
`;

interface Outcome {
  key: string;
  action: string;
  status: string;
  detail: string;
}
interface Entry {
  type: string;
  action?: string;
  session?: string;
  by?: string;
  forced?: boolean;
  result?: string;
  reason: string;
}

describe('manual actions keep the safety limits unless forced', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  beforeAll(async () => {
    warden = await startDemoWarden(CONFIG);
  });
  afterAll(async () => {
    await ifAssigned(warden)?.close();
  });

  const post = async (path: string, body: object): Promise<{ status: number; body: { outcomes?: Outcome[]; error?: { message: string; details?: { outcomes?: Outcome[] } } } }> => {
    const res = await fetch(warden.base + path, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as never };
  };
  const keys = (): string[] =>
    warden.daemon.fleet
      .sessions()
      .map((s) => s.key)
      .sort();
  const journal = async (): Promise<Entry[]> => await warden.daemon.journal({ limit: 10_000 });

  it('a bulk cleanup past the blast radius deletes nothing and says why; protected sessions are refused as protected', async () => {
    const before = keys();
    const r = await post('/api/v1/cleanup', { age: '1ms', mode: 'delete' });
    expect(r.status).toBe(200);
    const outcomes = r.body.outcomes!;
    expect(outcomes.length).toBeGreaterThan(2);
    expect(outcomes.every((o) => o.status === 'refused')).toBe(true);
    const backend = outcomes.filter((o) => o.key.startsWith('agent:backend:'));
    expect(backend.length).toBeGreaterThan(0);
    for (const o of backend) expect(o.detail).toMatch(/is protected \(safety\.protect\); force the action/);
    for (const o of outcomes.filter((o) => !o.key.startsWith('agent:backend:')))
      expect(o.detail).toMatch(/exceed the blast-radius limit \(safety\.maxActionsPerSweep: 2 of \d+ sessions\); nothing was done/);
    expect(keys()).toEqual(before);
    expect((await journal()).some((e) => e.type === 'refusal' && /manual cleanup refused: \d+ sessions exceed the blast-radius limit/.test(e.reason))).toBe(true);
  });

  it('forced, the same cleanup previews every session, protected ones included', async () => {
    const r = await post('/api/v1/cleanup', { age: '1ms', mode: 'delete', dryRun: true, force: true });
    expect(r.status).toBe(200);
    expect(r.body.outcomes!.length).toBeGreaterThan(2);
    expect(r.body.outcomes!.every((o) => o.status === 'would')).toBe(true);
    expect(r.body.outcomes!.some((o) => o.key.startsWith('agent:backend:'))).toBe(true);
  });

  it('one protected session needs force; the journal records the origin and that it was forced', async () => {
    const key = 'agent:backend:fix-flaky-tests';
    const refused = await post(`/api/v1/sessions/${encodeURIComponent(key)}/pause`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error!.message).toMatch(/is protected \(safety\.protect\)/);
    expect(warden.daemon.fleet.session('demo', key)?.archived).toBe(false);

    const forced = await post(`/api/v1/sessions/${encodeURIComponent(key)}/pause`, { force: true, origin: 'console' });
    expect(forced.status).toBe(200);
    expect(forced.body.outcomes![0]).toMatchObject({ key, status: 'done' });
    const entry = (await journal()).find((e) => e.type === 'action' && e.session === key && e.action === 'pause');
    expect(entry).toMatchObject({ by: 'console', forced: true, result: 'done' });
    expect(entry?.reason).toBe('requested by console (forced)');
  });

  it('an unprotected session needs no force, and the origin must be one it knows', async () => {
    const key = 'agent:docs:api-reference';
    const r = await post(`/api/v1/sessions/${encodeURIComponent(key)}/stop`, { origin: 'cli' });
    expect(r.status).toBe(200);
    const entry = (await journal()).find((e) => e.type === 'action' && e.session === key && e.action === 'stop');
    expect(entry).toMatchObject({ by: 'cli' });
    expect(entry?.forced).toBeUndefined();
    const bad = await post(`/api/v1/sessions/${encodeURIComponent(key)}/stop`, { origin: 'cron' });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.message).toBe('origin must be one of: api, cli, console; got "cron"');
  });
});
