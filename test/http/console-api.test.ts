import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoWarden, CONSOLE_FLEET_CONFIG } from '../console/warden.js';
import { vendorRoutes } from '../../src/http/routes/vendor.js';
import { startFixtureServer } from './harness.js';
import type { BoardSessionView, FleetOverview, SpendSeries } from '../../src/http/view.js';
import { ifAssigned } from '../if-assigned.js';

const RUNAWAY = 'agent:backend:fix-flaky-tests';

/** The console's data on the real daemon and demo fleet: truthful verdicts, notes, the ladder, budget rows and spend series. */
describe('console API on the real daemon and demo fleet', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  beforeAll(async () => {
    warden = await startDemoWarden(CONSOLE_FLEET_CONFIG);
  });
  afterAll(async () => {
    await ifAssigned(warden)?.close();
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a read of a JSON answer typed as the route's documented shape, which the test then asserts
  const get = async <T>(path: string): Promise<{ status: number; body: T; type: string | null }> => {
    const res = await fetch(warden.base + path);
    const type = res.headers.get('content-type');
    return { status: res.status, type, body: (type?.startsWith('application/json') ? await res.json() : await res.text()) as T };
  };
  const sessions = async (): Promise<BoardSessionView[]> => (await get<{ sessions: BoardSessionView[] }>('/api/v1/sessions')).body.sessions;

  it('says in /readyz that every source is the demo', async () => {
    expect((await get<{ demo: boolean }>('/readyz')).body.demo).toBe(true);
  });

  it('shows a stopped session as handled, with the note of its stop and the ladder step that follows', async () => {
    const view = (await sessions()).find((v) => v.session.key === RUNAWAY)!;
    expect(view.state).toBe('stopped');
    const cap = view.verdicts!.find((v) => v.policy === 'session-token-cap')!;
    expect(cap).toMatchObject({ fires: true, level: 'handled' });
    expect(cap.handledAt).toBeTypeOf('number');
    expect(view.note).toMatchObject({ action: 'stop', result: 'done', by: 'policy', policy: 'session-token-cap' });
    expect(view.note!.reason).toMatch(/^tokens\.total [\d,]+ > 200,000$/);
    expect(view.next).toMatchObject({ policy: 'session-token-cap', step: 1, actions: ['kill'], ifActive: true });
    expect(view.next!.due - cap.handledAt!).toBe(5 * 60_000);
    expect(view.spark).toHaveLength(30);
  });

  it('bars an `all` policy by its least-satisfied condition, never over while the policy does not fire', async () => {
    const views = await sessions();
    // The engine's budget ratio is the largest of the thresholds; on the runaway tokens.input is far past 50k.
    const runaway = views.find((v) => v.session.key === RUNAWAY)!;
    expect(runaway.budgets.find((b) => b.policy === 'inefficient-sessions')!.ratio).toBeGreaterThan(1);
    const verdict = runaway.verdicts!.find((v) => v.policy === 'inefficient-sessions')!;
    expect(verdict).toMatchObject({ fires: false });
    expect(verdict.level).not.toBe('over');
    expect(verdict.ratio).toBeLessThan(1);
    expect(verdict.text).toMatch(/^ratio\.input_output [\d.]+ > 40$/);
    expect(verdict.conditions).toBeUndefined();
    // One session's detail carries every condition, measured: the `all` fails on its second part.
    const one = (await get<{ session: BoardSessionView }>(`/api/v1/sessions/${encodeURIComponent(RUNAWAY)}`)).body.session;
    const detail = one.verdicts!.find((v) => v.policy === 'inefficient-sessions')!;
    expect(detail.conditions!.map((c) => [c.depth, c.holds])).toEqual([
      [0, false],
      [1, true],
      [1, false],
    ]);
    expect(detail.conditions![1]).toMatchObject({ metric: 'tokens.input', op: '>', threshold: 50_000 });
    // Wherever a verdict says over or handled, the policy fires.
    for (const v of views) for (const b of v.verdicts ?? []) expect(b.level === 'over' || b.level === 'handled').toBe(b.fires);
  });

  it('serves the header: fleet budget, today, burn, states and one budget row per agent with its window spend', async () => {
    const { status, body } = await get<FleetOverview>('/api/v1/overview?tz=UTC');
    expect(status).toBe(200);
    expect(body.demo).toBe(true);
    expect(body.fleetBudget).toMatchObject({ policy: 'fleet-daily-budget', scope: 'fleet', metric: 'cost', threshold: 400 });
    // The fleet's window is the UTC day, as is "today" in UTC: the same sum.
    expect(body.fleetBudget!.spent).toBeCloseTo(body.today.cost, 9);
    expect(Object.values(body.states).reduce((a, b) => a + b, 0)).toBe(body.sessions);
    const reporting = body.budgets.find((b) => b.policy === 'agent-daily-budget' && b.agent === 'reporting')!;
    expect(reporting).toMatchObject({ fires: true, level: 'handled', metric: 'cost', threshold: 25 });
    const { start } = reporting.window!;
    let spent = 0;
    for (const e of warden.daemon.fleet.ledger.entries()) if (e.agent === 'reporting') spent += e.between(start, body.at + 1).cost;
    expect(reporting.spent).toBeCloseTo(spent, 9);
    expect(reporting.window!.end - start).toBe(24 * 3600_000);
    expect((await get('/api/v1/overview?tz=Mars/Olympus')).status).toBe(400);
  });

  it.each([
    ['1h', 60, 60_000],
    ['24h', 96, 15 * 60_000],
    ['7d', 168, 3600_000],
  ])('serves spend over %s in %i buckets; the fleet is the sum of the agents', async (range, n, step) => {
    const { body } = await get<SpendSeries>(`/api/v1/spend?range=${range}&top=3`);
    expect(body.times).toHaveLength(n);
    expect(body.step).toBe(step);
    expect(body.agents.length).toBeLessThanOrEqual(3);
    for (let i = 0; i < n; i++) {
      const sum = body.agents.reduce((a, s) => a + s.cost[i]!, body.other?.cost[i] ?? 0);
      expect(sum).toBeCloseTo(body.fleet.cost[i]!, 5);
      expect(body.agents.reduce((a, s) => a + s.tokens[i]!, body.other?.tokens[i] ?? 0)).toBe(body.fleet.tokens[i]);
    }
    expect(body.budgets).toEqual(expect.arrayContaining([expect.objectContaining({ policy: 'agent-daily-budget', metric: 'cost', threshold: 25, perStep: (25 * step) / (24 * 3600_000) })]));
    expect(body.markers.some((m) => m.action === 'stop' && m.session === RUNAWAY && m.policy === 'session-token-cap')).toBe(true);
  });

  it('refuses an unknown range', async () => {
    const r = await get<{ error: { message: string } }>('/api/v1/spend?range=2h');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('1h, 24h, 7d');
  });

  it('serves the chart library from the installed package, with its content types', async () => {
    const js = await get<string>('/vendor/uplot.min.js');
    expect(js.status).toBe(200);
    expect(js.type).toBe('text/javascript; charset=utf-8');
    expect(js.body).toContain('uPlot');
    const css = await get<string>('/vendor/uplot.min.css');
    expect(css.type).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('.uplot');
  });

  it('lists one session with its recent decisions and actions', async () => {
    const { body } = await get<{ session: BoardSessionView & { decisions: { type: string; policy?: string }[]; calls: unknown[] } }>(`/api/v1/sessions/${encodeURIComponent(RUNAWAY)}`);
    expect(body.session.decisions.some((d) => d.type === 'action' && d.policy === 'session-token-cap')).toBe(true);
    expect(Array.isArray(body.session.calls)).toBe(true);
  });
});

describe('console API routes on a view without them', () => {
  it('answers 501 for spend and overview', async () => {
    const srv = await startFixtureServer();
    try {
      expect((await fetch(`${srv.base}/api/v1/spend`)).status).toBe(501);
      expect((await fetch(`${srv.base}/api/v1/overview`)).status).toBe(501);
    } finally {
      await srv.close();
    }
  });

  it('reads the chart library only when it is asked for, never when the routes are made', () => {
    const asked: string[] = [];
    vendorRoutes((m) => {
      asked.push(m);
      return m;
    });
    expect(asked).toEqual([]);
  });
});
