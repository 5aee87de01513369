import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { freePort } from '../e2e/support/gateway.js';
import { OpenClawSource } from '../../src/sources/openclaw/index.js';
import { GatewayLink } from '../../src/sources/openclaw/link.js';
import type { SourceEvent } from '../../src/sources/source.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** A stand-in gateway that completes the v4 handshake but grants only the scopes it is told to. */
async function scopedGateway(scopes: string[]): Promise<{ url: string; close: () => Promise<void>; connects: () => number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  let connects = 0;
  server.on('connection', (socket: WebSocket) => {
    socket.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n-1', ts: Date.now() } }));
    socket.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as { id: string; method: string };
      if (frame.method !== 'connect') return;
      connects++;
      socket.send(
        JSON.stringify({
          type: 'res',
          id: frame.id,
          ok: true,
          payload: {
            type: 'hello-ok',
            protocol: 4,
            server: { version: '2026.9.6', connId: 'c-1' },
            features: { methods: ['sessions.subscribe'], events: [] },
            snapshot: { presence: [], health: {}, stateVersion: { presence: 0, health: 0 }, uptimeMs: 1 },
            auth: { method: 'token', role: 'operator', scopes },
            policy: { maxPayload: 1_000_000, maxBufferedBytes: 1_000_000, tickIntervalMs: 30_000 },
          },
        }),
      );
    });
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `ws://127.0.0.1:${port}`, connects: () => connects, close: () => new Promise((r) => server.close(() => r())) };
}

describe('OpenClaw link (no real gateway needed)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it('refuses to start without operator.admin, naming the missing scope', async () => {
    const gateway = await scopedGateway(['operator.read', 'operator.write']);
    cleanup.push(gateway.close);
    const source = new OpenClawSource('gw', { url: gateway.url, token: 't' }, { now: Date.now, log: quiet });
    cleanup.push(() => source.close());
    await expect(source.start()).rejects.toMatchObject({ code: 'SCOPE_MISSING', message: expect.stringContaining('did not grant operator.admin') as string });
    expect(source.isUp()).toBe(false);
  });

  it('an unreachable gateway: start resolves down with one clear down event, then keeps retrying quietly', async () => {
    const url = `ws://127.0.0.1:${await freePort()}`;
    const source = new OpenClawSource('gw', { url, token: 't', reconnect: { minMs: 20, maxMs: 40 } }, { now: Date.now, log: quiet });
    cleanup.push(() => source.close());
    const events: SourceEvent[] = [];
    source.subscribe((e) => events.push(e));
    await source.start();
    expect(source.isUp()).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    const downs = events.filter((e) => e.type === 'down');
    expect(downs).toHaveLength(1);
    expect(downs[0]).toMatchObject({ type: 'down', source: 'gw', error: expect.stringContaining(`cannot reach the OpenClaw gateway at ${url}`) as string });
    const result = await source.perform({ action: 'stop', key: 'agent:main:x', generation: 'g' });
    expect(result).toMatchObject({ status: 'failed', detail: expect.stringContaining('not connected') as string });
  });
});

describe('OpenClaw link loading its client', () => {
  it('a gateway client module that cannot be imported rejects start with a clear fatal error and never connects', async () => {
    const downs: string[] = [];
    const link = new GatewayLink({
      url: 'ws://127.0.0.1:9',
      token: 't',
      requestTimeoutMs: 1_000,
      reconnect: { minMs: 20, maxMs: 40 },
      onEvent: () => {},
      onUp: () => {},
      onDown: (e) => downs.push(e.code),
      log: quiet,
      loadClient: () => Promise.reject(new Error("Cannot find package '@openclaw/gateway-client'")),
    });
    await expect(link.start()).rejects.toMatchObject({
      code: 'CLIENT_MISSING',
      message: expect.stringContaining("cannot load the OpenClaw gateway client (@openclaw/gateway-client): Cannot find package '@openclaw/gateway-client'") as string,
    });
    expect(link.isUp()).toBe(false);
    await link.close();
    expect(downs).toEqual([]);
  });
});
