import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonChannel } from '../../guard/src/channel.js';
import type { DaemonMessage, GuardReport } from '../../guard/src/protocol.js';
import { GuardServer, type GuardConnection, type GuardPeer } from '../../src/guard/server.js';

const TOKEN = 'guard-token-0123456789abcdef';
const quiet = { warn: () => {}, info: () => {} };

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the guard channel (daemon GuardServer ↔ guard DaemonChannel)', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function server(listen = '127.0.0.1:0', token = TOKEN) {
    const connections: GuardConnection[] = [];
    const reports: { peer: GuardPeer; report: GuardReport }[] = [];
    const s = new GuardServer({
      listen,
      token: () => token,
      log: quiet,
      pingMs: 100,
      refuseSource: (source) => (source === 'gw' ? undefined : `source "${source}" is not guarded`),
      connected: (c) => {
        connections.push(c);
        c.send({ type: 'hello', protocol: 1, version: 'test', source: c.source, failMode: 'open', rules: [], verdicts: [], at: 1 });
      },
      disconnected: (c) => connections.splice(connections.indexOf(c), 1),
      report: (peer, report) => reports.push({ peer, report }),
    });
    const address = await s.listen();
    closers.push(() => s.close());
    return { s, address, connections, reports, url: `http://127.0.0.1:${address.port}` };
  }

  function channel(url: string, options: { token?: string; source?: string; idleMs?: number } = {}) {
    const messages: DaemonMessage[] = [];
    const states: boolean[] = [];
    const c = new DaemonChannel({
      url,
      token: options.token ?? TOKEN,
      source: options.source ?? 'gw',
      version: '0.1.0',
      gatewayVersion: () => '2026.9.6',
      reconnect: { minMs: 50, maxMs: 200 },
      log: quiet,
      onMessage: (m) => messages.push(m),
      onConnected: (up) => states.push(up),
      flushMs: 10,
      ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
    });
    c.start();
    closers.push(() => c.stop());
    return { c, messages, states };
  }

  it('opens the stream, gets the hello and every verdict pushed after it, in order', async () => {
    const d = await server();
    const g = channel(d.url);
    const conn = await until('the connection', () => d.connections[0]);
    expect(conn).toMatchObject({ source: 'gw', version: '0.1.0', gatewayVersion: '2026.9.6' });
    for (let i = 0; i < 50; i++) conn.send({ type: 'verdict', verdict: { key: `k${i}`, state: 'allowed', since: i, caps: [] } });
    await until('51 messages', () => (g.messages.length >= 51 ? true : undefined));
    expect(g.messages[0]?.type).toBe('hello');
    expect(g.messages.slice(1).map((m) => (m.type === 'verdict' ? m.verdict.since : -1))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(g.states).toEqual([true]);
  });

  it('delivers usage, events and status in batched reports', async () => {
    const d = await server();
    const g = channel(d.url);
    for (let i = 0; i < 3; i++) g.c.queueUsage({ key: 'k', agent: 'main', generation: 'g', id: `g:${i}`, at: i, usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, cost: 0 }, kind: 'call' });
    g.c.queueEvent({ kind: 'blocked', key: 'k', state: 'stopped', reason: 'because', at: 1 });
    const report = await until('a report', () => d.reports.find((r) => (r.report.usage?.length ?? 0) > 0));
    expect(report.peer.source).toBe('gw');
    expect(report.report.usage).toHaveLength(3);
    expect(report.report.events?.[0]).toMatchObject({ kind: 'blocked', reason: 'because' });
    // Taken off the queue once the daemon has answered.
    await until('the queue to empty', () => (g.c.pending === 0 ? true : undefined));
  });

  it.each<[string, { token?: string; source?: string }, RegExp]>([
    ['a wrong token', { token: 'wrong-token-0123456789' }, /401/],
    ['an unknown source', { source: 'other' }, /403.*not guarded/],
  ])('refuses %s, and the guard keeps retrying', async (_what, options, reason) => {
    const d = await server();
    const warnings: string[] = [];
    const c = new DaemonChannel({
      url: d.url,
      token: options.token ?? TOKEN,
      source: options.source ?? 'gw',
      version: '0.1.0',
      gatewayVersion: () => '2026.9.6',
      reconnect: { minMs: 20, maxMs: 50 },
      log: { info: () => {}, warn: (m) => warnings.push(m) },
      onMessage: () => {},
      onConnected: () => {},
    });
    c.start();
    closers.push(() => c.stop());
    await until('two refusals', () => (warnings.length >= 2 ? true : undefined));
    expect(warnings[0]).toMatch(reason);
    expect(d.connections).toHaveLength(0);
  });

  it('reconnects when the daemon goes away and comes back, and holds usage until it can deliver it', async () => {
    const d = await server();
    const g = channel(d.url);
    await until('the first connection', () => d.connections[0]);
    await d.s.close();
    await until('the drop', () => (g.states.includes(false) ? true : undefined));
    g.c.queueUsage({ key: 'k', agent: 'main', generation: 'g', id: 'g:held', at: 5, usage: { input: 9, output: 1, cacheRead: 0, cacheWrite: 0, cost: 0 }, kind: 'call' });
    await new Promise((r) => setTimeout(r, 200));
    expect(g.c.pending).toBe(1);
    const again = await server(`127.0.0.1:${d.address.port}`);
    await until('the second connection', () => again.connections[0], 10_000);
    await until('the held usage', () => again.reports.find((r) => r.report.usage?.some((u) => u.id === 'g:held')), 15_000);
    expect(g.states.filter((s) => s)).toHaveLength(2);
  });

  it("keeps a quiet stream open on the daemon's pings, and gives up on a silent one", async () => {
    const d = await server();
    const g = channel(d.url, { idleMs: 300 });
    await until('the connection', () => d.connections[0]);
    // The server pings every 100 ms: a 300 ms idle budget is never used up.
    await new Promise((r) => setTimeout(r, 800));
    expect(g.states).toEqual([true]);
    // A peer that answers the stream and then says nothing at all.
    const silent = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    closers.push(
      () =>
        new Promise<void>((r) => {
          silent.closeAllConnections();
          silent.close(() => r());
        }),
    );
    const quietOne = channel(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { idleMs: 200 });
    await until('a reconnect after silence', () => (quietOne.states.filter((s) => s).length >= 2 ? true : undefined));
  });
});
