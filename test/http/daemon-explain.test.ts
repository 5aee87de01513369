import { ifAssigned } from '../if-assigned.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { SessionExplanation } from '../../src/explain/explain.js';
import { startDemoWarden } from '../console/warden.js';

/** The demo fleet with a cap its runaway (~360k tokens at start) is already past: the daemon stops it on its first sweep. */
const CONFIG = `
sources:
  - name: demo
    type: demo
    seed: 42
mode: enforce
schedule: "* * * * *"
http:
  listen: 127.0.0.1:0
safety:
  maxActionsPerSweep: 20
policies:
  - name: runaway-cap
    match: { key: "agent:backend:*" }
    when: { tokens.total: "> 300k" }
    do: [ stop ]
  - name: docs-cap
    match: { agent: docs }
    when: { tokens.total: "> 50M" }
    do: [ stop ]
`;

const RUNAWAY = 'agent:backend:fix-flaky-tests';
const OTHER = 'agent:docs:api-reference';

/** `GET /api/v1/sessions/{key}/explain` answered by the real daemon from its live state, and `clawwarden explain` through it. */
describe('explain on the running daemon', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  let dir: string;
  beforeAll(async () => {
    warden = await startDemoWarden(CONFIG);
    dir = await mkdtemp(join(tmpdir(), 'clawwarden-explain-'));
  });
  afterAll(async () => {
    await ifAssigned(warden)?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a read of a JSON answer typed as the route's documented shape, which the test then asserts
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(warden.base + path);
    return { status: res.status, body: (await res.json()) as T };
  };
  const explain = (key: string, query = ''): Promise<{ status: number; body: { mode: string; explanation: SessionExplanation } }> => get(`/api/v1/sessions/${encodeURIComponent(key)}/explain${query}`);

  it('a session the daemon acted on: its live ladder, the measured value against the threshold, and why it does not act again', async () => {
    const { status, body } = await explain(RUNAWAY);
    expect(status).toBe(200);
    expect(body.mode).toBe('enforce');
    const e = body.explanation;
    expect(e.session.key).toBe(RUNAWAY);
    // Stopped by the daemon's first sweep: the explanation reads the live fleet, not a fresh read of the source.
    expect(e.session.active).toBe(false);
    const [cap, docs] = e.policies;
    expect(cap).toMatchObject({ policy: 'runaway-cap', matches: true, holds: true, verdict: 'done', ladder: { episode: 1, stepDone: 0 } });
    expect(cap!.conditions).toEqual([expect.objectContaining({ name: 'tokens.total', op: '>', threshold: 300_000, value: e.usage!.total, holds: true })]);
    expect(e.usage!.total).toBeGreaterThan(300_000);
    expect(cap!.why).toMatch(/^acted at .* and its ladder is complete; it has no cooldown/);
    expect(docs).toMatchObject({ policy: 'docs-cap', matches: false, verdict: 'quiet' });
    expect(docs!.why).toBe('does not match this session (agent backend does not match "docs")');
    // The daemon's journal holds the same act the ladder records.
    const journal = await get<{ entries: { action?: string; result?: string; policy?: string; session?: string }[] }>(`/api/v1/journal?session=${encodeURIComponent(RUNAWAY)}`);
    expect(journal.body.entries).toContainEqual(expect.objectContaining({ action: 'stop', result: 'done', policy: 'runaway-cap' }));
  });

  it('a session no policy acts on, one policy at a time', async () => {
    const { status, body } = await explain(OTHER, '?policy=docs-cap');
    expect(status).toBe(200);
    expect(body.explanation.policies).toHaveLength(1);
    const docs = body.explanation.policies[0]!;
    expect(docs).toMatchObject({ policy: 'docs-cap', matches: true, holds: false, verdict: 'quiet', why: 'the condition does not hold' });
    expect(docs.conditions[0]).toMatchObject({ name: 'tokens.total', threshold: 50_000_000, value: body.explanation.usage!.total, holds: false });
  });

  it('an unknown key is 404 UNKNOWN_SESSION; an unknown policy 404 UNKNOWN_POLICY naming the loaded ones; an unknown parameter 400', async () => {
    const unknown = await get<{ error: { code: string } }>(`/api/v1/sessions/${encodeURIComponent('agent:nobody:here')}/explain`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_SESSION');
    const policy = await get<{ error: { code: string; message: string } }>(`/api/v1/sessions/${encodeURIComponent(RUNAWAY)}/explain?policy=runaway-cop`);
    expect(policy.status).toBe(404);
    expect(policy.body.error).toMatchObject({ code: 'UNKNOWN_POLICY', message: 'no policy "runaway-cop"; loaded: runaway-cap, docs-cap' });
    expect((await fetch(`${warden.base}/api/v1/sessions/${encodeURIComponent(RUNAWAY)}/explain?polcy=x`)).status).toBe(400);
  });

  it('`clawwarden explain KEY` asks the running daemon', async () => {
    // The CLI's config points at the daemon's address and at a gateway nobody runs: only the daemon can answer.
    const file = join(dir, 'cli.yaml');
    const listen = new URL(warden.base).host;
    await writeFile(
      file,
      `sources: [ { name: demo, type: openclaw, url: "ws://127.0.0.1:1" } ]\nhttp: { listen: "${listen}" }\nstateDir: ${join(dir, 'state')}\npolicies:\n  - name: runaway-cap\n    when: { tokens.total: "> 300k" }\n    do: [ stop ]\n`,
    );
    const cli = async (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      let stdout = '';
      let stderr = '';
      const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: dir });
      return { code, stdout, stderr };
    };
    const json = await cli(['explain', RUNAWAY, '--config', file, '--json', '--policy', 'runaway-cap']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const e = JSON.parse(json.stdout) as SessionExplanation;
    expect(e.policies.map((p) => [p.policy, p.verdict])).toEqual([['runaway-cap', 'done']]);
    const text = await cli(['explain', RUNAWAY, '--config', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^session agent:backend:fix-flaky-tests \(agent backend, model .*, idle/);
    expect(text.stdout).toMatch(/runaway-cap {2}done/);
    const missing = await cli(['explain', 'agent:nobody:here', '--config', file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`clawwarden explain: the daemon at ${listen}: no session "agent:nobody:here"; "clawwarden sessions list" shows the keys\n`);
  });
});
