import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { GuardStatus } from '../../src/guard/view.js';
import { TOKEN, startDemoWarden } from '../console/warden.js';
import { ifAssigned } from '../if-assigned.js';

// The in-gateway guard's status where an operator looks: /readyz (and the console's source tile, which reads it)
// and `sessions list` through the daemon. The guard itself is tested on a real gateway in test/e2e/guard-*.
describe('guard status in /readyz and sessions list', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  let guard: GuardStatus = { source: 'demo', up: true, connections: 1, gatewayVersion: '2026.9.6', compatible: true, blocked: 0, refused: 0, usageRecords: 0 };
  beforeAll(async () => {
    warden = await startDemoWarden();
    warden.daemon.guard = { status: () => [guard], verdict: () => undefined };
  });
  afterAll(async () => {
    await ifAssigned(warden)?.close();
  });

  it("reports each source's guard without making readiness depend on it", async () => {
    const up = (await (await fetch(`${warden.base}/readyz`)).json()) as { ready: boolean; sources: { name: string; guard?: unknown }[] };
    expect(up.sources).toEqual([{ name: 'demo', up: true, synced: true, guard: { up: true, compatible: true, gatewayVersion: '2026.9.6' } }]);
    guard = { ...guard, up: false, connections: 0, problem: 'no guard connected; hard caps fall back to the external stop' };
    const res = await fetch(`${warden.base}/readyz`);
    expect(res.status).toBe(200);
    const down = (await res.json()) as { sources: { guard?: { up: boolean; problem?: string } }[] };
    expect(down.sources[0]?.guard).toMatchObject({ up: false, problem: 'no guard connected; hard caps fall back to the external stop' });
  });

  it('is shown under `sessions list` through the daemon', async () => {
    let out = '';
    const code = await main(['sessions', 'list'], {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      env: { CLAWWARDEN_LISTEN: warden.base.replace('http://', ''), CLAWWARDEN_API_TOKEN: TOKEN },
      cwd: process.cwd(),
    });
    expect(code).toBe(0);
    expect(out).toMatch(/^guard on demo: down \(gateway 2026\.9\.6\) — no guard connected; hard caps fall back to the external stop$/m);
  });
});
