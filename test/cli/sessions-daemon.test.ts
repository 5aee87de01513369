import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Daemon } from '../../src/daemon/daemon.js';
import { DEMO_CAST } from '../../src/sources/demo/index.js';
import { TOKEN, startDemoWarden } from '../console/warden.js';
import { ifAssigned } from '../if-assigned.js';

let warden: { base: string; daemon: Daemon; close: () => Promise<void> };
let listen: string;

beforeAll(async () => {
  warden = await startDemoWarden();
  listen = new URL(warden.base).host;
});
afterAll(async () => {
  await ifAssigned(warden)?.close();
});

/** Runs the CLI in-process with the given env; returns exit code and output. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: { PATH: process.env.PATH, ...env }, cwd: process.cwd() });
  return { code, out, err };
}

describe('clawwarden sessions while the daemon runs', () => {
  it("lists the daemon's sessions with cumulative usage", async () => {
    const { code, out } = await cli(['sessions', 'list', '--json'], { CLAWWARDEN_LISTEN: listen });
    expect(code).toBe(0);
    const sessions = JSON.parse(out) as { key: string; usage?: { input: number } }[];
    const runaway = sessions.find((s) => s.key === DEMO_CAST.runaway);
    expect(runaway?.usage?.input).toBeGreaterThan(200_000);
    expect(sessions.length).toBe(warden.daemon.sessions().length);
  });

  it('pauses a main session through the daemon, which keeps the hold and journals it', async () => {
    const refused = await cli(['sessions', 'pause', 'agent:support:main', '--json'], { CLAWWARDEN_LISTEN: listen, CLAWWARDEN_API_TOKEN: TOKEN });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toEqual([expect.objectContaining({ key: 'agent:support:main', status: 'refused', detail: expect.stringMatching(/is protected/) as string })]);
    const { code, out } = await cli(['sessions', 'pause', 'agent:support:main', '--force', '--json'], { CLAWWARDEN_LISTEN: listen, CLAWWARDEN_API_TOKEN: TOKEN });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([expect.objectContaining({ key: 'agent:support:main', action: 'pause', status: 'done' })]);
    expect(warden.daemon.state.hold('demo', 'agent:support:main')).toMatchObject({ kind: 'hold', by: 'cli' });
    const journal = await warden.daemon.journal({ limit: 20, session: 'agent:support:main' });
    expect(journal.some((e) => e.type === 'action' && e.action === 'pause' && e.result === 'done')).toBe(true);
    const resumed = await cli(['sessions', 'resume', 'agent:support:main'], { CLAWWARDEN_LISTEN: listen, CLAWWARDEN_API_TOKEN: TOKEN });
    expect(resumed.code).toBe(0);
    expect(warden.daemon.state.hold('demo', 'agent:support:main')).toBeUndefined();
  });

  it('refuses to bypass the daemon silently when no API token is given', async () => {
    const { code, err } = await cli(['sessions', 'stop', DEMO_CAST.runaway], { CLAWWARDEN_LISTEN: listen });
    expect(code).toBe(1);
    expect(err).toContain(`a clawwarden daemon is running at http://${listen}`);
    expect(err).toContain('CLAWWARDEN_API_TOKEN');
  });

  it('reports unknown keys per key, in order, with a hint, and exits non-zero', async () => {
    const { code, out } = await cli(['sessions', 'stop', 'agent:nobody:here', 'agent:support:mian', '--dry-run', '--json'], { CLAWWARDEN_LISTEN: listen, CLAWWARDEN_API_TOKEN: TOKEN });
    expect(code).toBe(1);
    const results = JSON.parse(out) as { key: string; status: string; detail: string }[];
    expect(results.map((r) => [r.key, r.status])).toEqual([
      ['agent:nobody:here', 'unknown'],
      ['agent:support:mian', 'unknown'],
    ]);
    expect(results[1]?.detail).toContain('did you mean "agent:support:main"');
  });

  it('goes straight to the gateway with --direct', async () => {
    const { code, err } = await cli(['sessions', 'list', '--direct', '--url', 'ws://127.0.0.1:1', '--token', 'x'], { CLAWWARDEN_LISTEN: listen });
    expect(code).toBe(1);
    expect(err).toMatch(/127\.0\.0\.1:1/);
  });
});
