import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/index.js';
import { Enforcer } from '../../src/enforcer/enforcer.js';
import type { EnforcementHooks } from '../../src/enforcer/hooks.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { Ledger } from '../../src/ledger/ledger.js';
import type { ActionRequest, Session, Source } from '../../src/sources/source.js';
import { Journal } from '../../src/state/journal.js';
import { StateStore } from '../../src/state/store.js';

const silentHooks: EnforcementHooks = { decided: () => undefined, acted: () => undefined, refused: () => undefined };

const dir = mkdtempSync(join(tmpdir(), 'clawwarden-since-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const state = join(dir, 'state');
mkdirSync(state);
const config = join(dir, 'clawwarden.yaml');
writeFileSync(
  config,
  `sources: [ { name: home, type: openclaw } ]
stateDir: ${JSON.stringify(state)}
policies:
  - name: cap
    when: { tokens.total: "> 100k" }
    do: [ stop ]
  - name: strict-cap
    mode: observe
    when: { tokens.total: "> 50k" }
    do: [ kill ]
  - name: quiet
    when: { tokens.total: "> 10M" }
    do: [ stop ]
`,
);

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: dir });
  return { code, stdout, stderr };
}

describe('observe → enforce', () => {
  test('`mode: observe` is a policy dry run: it decides, records "would …", and acts on nothing; `dry-run` stays its alias', () => {
    const loaded = loadConfig({ file: config, cwd: dir, env: {} });
    expect(loaded.errors).toEqual([]);
    expect(loaded.config!.policies.map((p) => p.mode)).toEqual([undefined, 'dry-run', undefined]);
  });

  test('policies --since 7d: how often each policy acted or would have, on which sessions, and what they spent after', async () => {
    const { config: cfg } = loadConfig({ file: config, cwd: dir, env: {} });
    const now = Date.now() - 60_000;
    const ledger = new Ledger();
    const session: Session = { source: 'home', key: 'agent:backend:runaway', generation: 'g1', agent: 'backend', main: false, archived: false, active: true, runStartedAt: now - 60_000 };
    ledger.applyBaseline({ source: 'home', key: session.key, generation: 'g1', agent: 'backend', input: 150_000, output: 2_000, cacheRead: 0, cacheWrite: 0, cost: 0.5, lastActivityAt: now });
    const journal = await Journal.open(state, { maxBytes: 1 << 20, keep: 2 });
    const { store } = await StateStore.open(state, now);
    const performed: ActionRequest[] = [];
    const source: Source = {
      name: 'home',
      type: 'openclaw',
      capabilities: new Set(['stop', 'kill', 'pause', 'resume', 'cleanup', 'compact']),
      start: async () => undefined,
      close: async () => undefined,
      isUp: () => true,
      inventory: async () => [session],
      usage: async () => [],
      subscribe: () => () => undefined,
      perform: async (request) => (performed.push(request), { status: 'done', detail: 'aborted' }),
    };
    const enforcer = new Enforcer(cfg!, {
      state: store,
      journal,
      hooks: silentHooks,
      now: () => now,
      log: { warn() {}, error() {}, info() {} },
      fleet: {
        source: () => source,
        synced: () => true,
        session: () => session,
        usageKnown: () => true,
        usageSnapshot: (s, k, g) => {
          const t = ledger.session(s, k, g)!.totals;
          return { source: s, key: k, generation: g, agent: 'backend', ...t };
        },
      },
    });
    const { decisions } = evaluate({ sessions: [session], ledger, policies: cfg!.policies, state: store, now, mode: cfg!.mode });
    await enforcer.enforce(decisions, { trigger: 'sweep', sessionsInScope: 1 });
    await journal.close();
    expect(performed.map((p) => p.action)).toEqual(['stop']);
    // The session went on spending after the decisions: 100k tokens more.
    ledger.applyBaseline({ source: 'home', key: session.key, generation: 'g1', agent: 'backend', input: 250_000, output: 2_000, cacheRead: 0, cacheWrite: 0, cost: 0.9, lastActivityAt: now + 30_000 });
    writeFileSync(join(state, 'ledger.json'), JSON.stringify({ ...ledger.toJSON(), journalSeq: 0 }));

    const text = await cli(['policies', '--config', config, '--since', '7d']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      '  last 7d   acted 1× on 1 session (stop ×1)\n            on agent:backend:runaway\n            they spent 100,000 tokens ($0.40) after its first decision (what got through anyway)',
    );
    expect(text.stdout).toContain(
      '  last 7d   would have acted 1× on 1 session (kill ×1)\n            on agent:backend:runaway\n            they spent 100,000 tokens ($0.40) after its first decision: at most what enforcing it would have saved',
    );
    expect(text.stdout).toContain('  mode      observe (set by the policy)');
    expect(text.stdout).toMatch(/quiet[\s\S]*last 7d {3}did not act/);

    const json = JSON.parse((await cli(['policies', '--config', config, '--since', '7d', '--json'])).stdout) as { policies: { name: string; activity: unknown }[] };
    expect(json.policies.find((p) => p.name === 'strict-cap')!.activity).toEqual({
      policy: 'strict-cap',
      decisions: 1,
      results: { would: 1 },
      actions: { kill: 1 },
      sessions: ['agent:backend:runaway'],
      spentAfter: { tokens: 100_000, cost: 0.4 },
    });
    expect((await cli(['policies', '--config', config, '--since', 'soon'])).code).toBe(2);
  });
});
