import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonChannel } from '../../guard/src/channel.js';
import type { DaemonMessage } from '../../guard/src/protocol.js';
import { formatConfigError, loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/types.js';
import type { Hold } from '../../src/domain/decision.js';
import type { Session, UsageRecord } from '../../src/domain/session.js';
import { GuardHub, type GuardedDaemon } from '../../src/guard/hub.js';
import type { WardenUpdate } from '../../src/http/view.js';
import { Ledger } from '../../src/ledger/index.js';
import type { JournalRecord } from '../../src/state/journal.js';
import type { JournalEntry } from '../../src/state/journal-types.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOKEN = 'guard-token-0123456789abcdef';
const KEY = 'agent:main:loop';

async function config(): Promise<Config> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-hub-'));
  const file = join(dir, 'c.yaml');
  await writeFile(
    file,
    `sources:\n  - { name: gw, type: openclaw, url: "ws://127.0.0.1:1", token: "\${env:GW}" }\nguard:\n  listen: 127.0.0.1:0\n  token: "\${env:GUARD}"\npolicies:\n  - { name: cap, match: { key: "agent:main:*" }, when: { tokens.total: "> 40k" }, hard: true, do: [ stop ] }\n`,
  );
  const loaded = loadConfig({ file, cwd: dir, env: { GW: 'gateway-token', GUARD: TOKEN } });
  await rm(dir, { recursive: true, force: true });
  if (!loaded.config) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
  return loaded.config;
}

/** The parts of a daemon the hub uses, in memory. */
function fakeDaemon(cfg: Config) {
  const ledger = new Ledger();
  const sessions = new Map<string, Session>();
  const holds = new Map<string, Hold>();
  const journal: JournalRecord[] = [];
  const listeners = new Set<(u: WardenUpdate) => void>();
  const ingested: UsageRecord[] = [];
  const daemon: GuardedDaemon = {
    config: cfg,
    fleet: { ledger, session: (_s, k) => sessions.get(k), sessions: () => [...sessions.values()] },
    state: { hold: (_s, k) => holds.get(k) },
    audit: { append: async (r) => void journal.push(r) },
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    ingestUsage: (r) => {
      ingested.push(r);
      ledger.ingest(r);
    },
  };
  const emit = (u: WardenUpdate): void => listeners.forEach((l) => l(u));
  return { daemon, ledger, sessions, holds, journal, ingested, emit };
}

const until = async <T>(what: string, fn: () => T | undefined): Promise<T> => {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('GuardHub (the daemon side) with a guard channel over loopback', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function setUp() {
    const cfg = await config();
    const d = fakeDaemon(cfg);
    d.sessions.set(KEY, { source: 'gw', key: KEY, generation: 'g1', agent: 'main', main: false, archived: false, active: true });
    const registry = new Registry();
    const hub = new GuardHub(cfg, { log: pino({ level: 'silent' }), version: '0.1.0', registry, graceMs: 50 });
    await hub.start(d.daemon);
    closers.push(() => hub.close());
    const messages: DaemonMessage[] = [];
    const channel = new DaemonChannel({
      url: `http://127.0.0.1:${hub.address!.port}`,
      token: TOKEN,
      source: 'gw',
      version: '0.1.0',
      gatewayVersion: () => '2026.9.6',
      reconnect: { minMs: 50, maxMs: 100 },
      log: { info: () => {}, warn: () => {} },
      onMessage: (m) => messages.push(m),
      onConnected: () => {},
      flushMs: 10,
    });
    channel.start();
    closers.push(() => channel.stop());
    await until('the hello', () => messages.find((m) => m.type === 'hello'));
    return { hub, d, messages, channel, registry };
  }

  it("says hello with every session's verdict and the cap rules, and the guard is up in status and metrics", async () => {
    const { hub, messages, registry } = await setUp();
    const hello = messages[0];
    expect(hello).toMatchObject({
      type: 'hello',
      protocol: 1,
      source: 'gw',
      failMode: 'open',
      verdicts: [{ key: KEY, state: 'allowed', caps: [{ policy: 'cap', hard: true }] }],
      rules: [{ cap: { policy: 'cap' } }],
    });
    expect(hub.status()).toMatchObject([{ source: 'gw', up: true, guardVersion: '0.1.0', gatewayVersion: '2026.9.6' }]);
    expect(hub.holdGraceMs('gw')).toBeGreaterThan(0);
    expect(hub.holdGraceMs('other')).toBe(0);
    expect(await registry.metrics()).toMatch(/clawwarden_guard_up\{source="gw"\} 1/);
  });

  it('pushes a stop decided by the enforcer at once, from the journal, before any action', async () => {
    const { d, messages } = await setUp();
    const entry: JournalEntry = {
      seq: 1,
      time: new Date().toISOString(),
      type: 'decision',
      decision: 'x',
      policy: 'runtime',
      kind: 'violation',
      mode: 'enforce',
      reason: `session ${KEY}: runtime 2h > 1h (policy runtime)`,
      plan: {
        stateKey: 's',
        scope: 'session',
        subject: `session ${KEY}`,
        step: 0,
        episode: 1,
        actions: [{ action: 'stop' }],
        targets: [{ source: 'gw', key: KEY, generation: 'g1', agent: 'main', main: false, active: true }],
      },
    };
    d.emit({ type: 'journal', entry });
    const pushed = await until('the stopped verdict', () => messages.find((m) => m.type === 'verdict' && m.verdict.state === 'stopped'));
    expect(pushed).toMatchObject({ verdict: { key: KEY, reason: 'runtime 2h > 1h (policy runtime)', policy: 'runtime' } });
  });

  it("counts a call reported by the guard and by the gateway once, journals the guard's blocks, and marks a hard cap it held", async () => {
    const { hub, d, channel } = await setUp();
    const usage = { input: 15_000, output: 12, cacheRead: 0, cacheWrite: 0, cost: 0.045 };
    channel.queueUsage({ key: KEY, agent: 'main', generation: 'g1', id: 'g:1', at: 1_000, usage, kind: 'call' });
    await until('the guard copy counted', () => (d.ingested.length === 1 ? true : undefined));
    expect(hub.admitUsage({ source: 'gw', key: KEY, generation: 'g1', agent: 'main', id: '2', at: 1_000, ...usage })).toBe(false);
    expect(hub.admitUsage({ source: 'gw', key: KEY, generation: 'g1', agent: 'main', id: '4', at: 2_000, ...usage })).toBe(true);
    channel.queueEvent({ kind: 'blocked', key: KEY, generation: 'g1', state: 'over-cap', policy: 'cap', reason: 'clawwarden stopped agent:main:loop at its hard cap', at: 5 });
    const action = await until('the journaled block', () => d.journal.find((j) => j.type === 'action' && j.by === 'guard'));
    expect(action).toMatchObject({ action: 'stop', result: 'done', session: KEY, policy: 'cap', detail: expect.stringMatching(/blocked the tool call and aborted the run/) as string });
    expect(hub.verdict('gw', KEY)).toMatchObject({ state: 'over-cap', by: 'guard' });
    expect(hub.status()[0]).toMatchObject({ blocked: 1, usageRecords: 1 });
  });

  it('refuses a wrong token and an unknown source', async () => {
    const { hub } = await setUp();
    const base = `http://127.0.0.1:${hub.address!.port}/guard/v1/verdicts`;
    expect((await fetch(base, { headers: { authorization: 'Bearer wrong-token-0123456789', 'x-clawwarden-guard-protocol': '1', 'x-clawwarden-source': 'gw' } })).status).toBe(401);
    const other = await fetch(base, { headers: { authorization: `Bearer ${TOKEN}`, 'x-clawwarden-guard-protocol': '1', 'x-clawwarden-source': 'other' } });
    expect(other.status).toBe(403);
    expect(await other.text()).toMatch(/source "other" is not a guarded openclaw source/);
    const old = await fetch(base, { headers: { authorization: `Bearer ${TOKEN}`, 'x-clawwarden-guard-protocol': '0', 'x-clawwarden-source': 'gw' } });
    expect(old.status).toBe(409);
  });
});
