import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { ReplayReport } from '../../src/replay/report.js';
import { eventually } from './support/operator.js';
import { skipE2E, useWorld } from './support/world.js';

interface Row {
  key: string;
  hasActiveRun?: boolean;
}

describe.skipIf(skipE2E)('clawwarden replay --from gateway on a real OpenClaw gateway', { timeout: 300_000 }, () => {
  const world = useWorld();
  const dir = mkdtempSync(join(tmpdir(), 'clawwarden-replay-e2e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const idle = (key: string): Promise<true> =>
    eventually(
      `${key} to finish its run`,
      async () => {
        const rows = (await world.operator.request<{ sessions: Row[] }>('sessions.list', { limit: 500 })).sessions;
        return rows.find((r) => r.key === key)?.hasActiveRun === false ? true : undefined;
      },
      90_000,
    );

  async function replay(config: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await main(['replay', '--config', config, ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { OPENCLAW_GATEWAY_TOKEN: world.gateway.token }, cwd: dir });
    return { code, stdout, stderr };
  }

  it("a cap below one session's total: the replay names that session with the call it would have acted at and the tokens of the calls after it; the smaller session is left alone; twice the same JSON", async () => {
    const started = new Date(Date.now() - 60 * 60_000).toISOString();
    // Four one-call turns in one session, one in another: token counts the fake model served.
    const big = await world.operator.create('rg-big', 'first MODE:quick ID:rg-big');
    await world.model.waitForCalls('rg-big', 1, 120_000);
    await idle(big.key);
    for (let turn = 2; turn <= 4; turn++) {
      await world.operator.send(big.key, `turn ${turn} MODE:quick ID:rg-big`);
      await world.model.waitForCalls('rg-big', turn, 60_000);
      await idle(big.key);
    }
    const small = await world.operator.create('rg-small', 'only MODE:quick ID:rg-small');
    await world.model.waitForCalls('rg-small', 1, 60_000);
    await idle(small.key);

    const served = world.model.calls('rg-big').filter((c) => !c.closedEarly);
    expect(served).toHaveLength(4);
    const tokens = served.map((c) => c.promptTokens + c.completionTokens);
    const smallTotal = world.model.served('rg-small').input + world.model.served('rg-small').output;
    // Crossed by the third call of the big session, never by the small one.
    const cap = tokens[0]! + tokens[1]! + Math.floor(tokens[2]! / 2);
    expect(cap).toBeGreaterThan(smallTotal);

    const config = join(dir, 'clawwarden.yaml');
    writeFileSync(
      config,
      `sources:
  - name: gw
    type: openclaw
    url: ${world.gateway.url}
    token: "\${env:OPENCLAW_GATEWAY_TOKEN}"
policies:
  - name: cap
    match: { key: "agent:main:rg-*" }
    when: { tokens.total: "> ${cap}" }
    do: [ pause ]
`,
    );
    const until = new Date(Date.now() + 60_000).toISOString();
    const first = await replay(config, ['--from', 'gateway', '--since', started, '--until', until, '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as ReplayReport;
    expect(report.origin).toBe(`gateway ${world.gateway.url}`);
    expect(report.actions).toHaveLength(1);
    const action = report.actions[0]!;
    expect(action).toMatchObject({ policy: 'cap', session: big.key, action: 'pause', kind: 'violation', result: 'done', savedCalls: 1, savedTokens: tokens[3] });
    // The stop point: the third call, measured on exactly what the model served up to it.
    expect(action.measurements).toEqual([expect.objectContaining({ metric: 'tokens.total', value: tokens[0]! + tokens[1]! + tokens[2]!, threshold: cap })]);
    expect(Date.parse(action.at)).toBeGreaterThanOrEqual(served[1]!.at);
    expect(Date.parse(action.at)).toBeLessThan(served[3]!.at);
    expect(report.actions.some((a) => a.session === small.key)).toBe(false);
    // The transcripts hold every call the gateway's totals count: nothing to name for these sessions.
    expect(report.gaps.filter((g) => g.session === big.key || g.session === small.key)).toEqual([]);
    const bigSummary = report.sessions.find((s) => s.session === big.key)!;
    expect(bigSummary).toMatchObject({ calls: 4, tokens: tokens.reduce((a, b) => a + b, 0), savedTokens: tokens[3] });
    expect(report.sessions.find((s) => s.session === small.key)).toMatchObject({ calls: 1, tokens: smallTotal, actions: 0 });

    const second = await replay(config, ['--from', 'gateway', '--since', started, '--until', until, '--json']);
    expect(second.stdout).toBe(first.stdout);

    const table = await replay(config, ['--from', 'gateway', '--since', started, '--until', until, '--html', 'report.html']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(big.key);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
  });

  it('asking for more than the gateway keeps names the gap', async () => {
    const config = join(dir, 'clawwarden.yaml');
    const result = await replay(config, ['--from', 'gateway', '--since', '45d', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReplayReport;
    expect(report.gaps[0]).toMatchObject({ kind: 'retention' });
    expect(report.gaps[0]!.detail).toContain('OpenClaw keeps about 30 days of transcripts');
  });
});
