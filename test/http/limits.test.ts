import { get as httpGet, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureServer } from './harness.js';

let srv: Awaited<ReturnType<typeof startFixtureServer>> | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await srv?.close();
  srv = undefined;
});

/** One request on a fresh socket (no agent pool, so nothing idles in the server's count afterwards). */
function get(port: number, path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(3_000, () => req.destroy(new Error('no answer within 3 s')));
  });
}

/** An event stream on its own socket; `waitFor` resolves once the text received so far matches. */
function openStream(port: number): Promise<{ res: IncomingMessage; waitFor: (re: RegExp) => Promise<void>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events', agent: false }, (res) => {
      let text = '';
      const waiters: { re: RegExp; done: () => void }[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of [...waiters])
          if (w.re.test(text)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.done();
          }
      });
      res.on('error', () => {});
      resolve({ res, waitFor: (re) => (re.test(text) ? Promise.resolve() : new Promise((done) => waiters.push({ re, done }))), close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw TCP connection that sends `data` (or nothing) and then just sits there. */
function rawSocket(port: number, data?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      if (data !== undefined) socket.write(data);
      resolve(socket);
    });
    socket.on('error', reject);
    sockets.push(socket);
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 4_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('event-stream cap (http.maxEventStreams)', () => {
  it('answers 503 with a JSON reason and Retry-After past the cap, while the open streams keep receiving events', async () => {
    srv = await startFixtureServer({ maxEventStreams: 3 });
    const streams = await Promise.all([0, 1, 2].map(() => openStream(srv!.port)));
    await Promise.all(streams.map((s) => s.waitFor(/event: hello\n/)));

    const extra = await get(srv.port, '/api/v1/events');
    expect(extra.status).toBe(503);
    expect(extra.headers['retry-after']).toBe('10');
    expect(extra.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(extra.body)).toEqual({
      error: { code: 'TOO_MANY_STREAMS', message: expect.stringContaining('http.maxEventStreams') as unknown, limit: 3, retryAfterSeconds: 10 },
    });
    // The refused client subscribed to nothing.
    expect(srv.view.listeners.size).toBe(3);

    srv.view.emit({ type: 'sessions', at: 4242 });
    await Promise.all(streams.map((s) => s.waitFor(/"at":4242/)));

    for (const s of streams) s.close();
    await until(async () => srv!.view.listeners.size === 0 && (await srv!.stats()).eventStreams === 0, 'the subscriptions to be released');
    expect(await srv.stats()).toMatchObject({ eventStreams: 0, refusedEventStreams: 1 });

    // The slots are free again.
    const again = await openStream(srv.port);
    await again.waitFor(/event: hello\n/);
    again.close();
  });

  it('releases every subscription, timer and socket after many streams open and close', async () => {
    srv = await startFixtureServer({ maxEventStreams: 8, heartbeatMs: 5 });
    for (let round = 0; round < 25; round++) {
      const streams = await Promise.all(Array.from({ length: 8 }, () => openStream(srv!.port)));
      await Promise.all(streams.map((s) => s.waitFor(/: heartbeat\n\n/)));
      expect(srv.view.listeners.size).toBe(8);
      for (const s of streams) s.close();
      await until(() => srv!.view.listeners.size === 0, `round ${round} to release its subscriptions`);
    }
    await until(async () => (await srv!.stats()).connections === 0, 'every socket to close');
    expect(await srv.stats()).toEqual({ connections: 0, eventStreams: 0, refusedConnections: 0, refusedEventStreams: 0 });
  });

  it('drops a client whose socket does not drain instead of buffering for it', async () => {
    srv = await startFixtureServer();
    const stuck = await rawSocket(srv.port, 'GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    stuck.pause();
    await until(() => srv!.view.listeners.size === 1, 'the stream to subscribe');
    const reason = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 1_000 && srv.view.listeners.size > 0; i++) {
      srv.view.emit({ type: 'journal', entry: { seq: i, time: '2026-01-01T00:00:00Z', type: 'source', reason } });
      await new Promise((r) => setImmediate(r));
    }
    expect(srv.view.listeners.size).toBe(0);
    expect((await srv.stats()).eventStreams).toBe(0);
    expect(srv.log.lines.filter((l) => l.msg === 'dropping a slow event-stream client')).toHaveLength(1);
    // The socket was destroyed, not ended politely behind megabytes of unsent events.
    await until(async () => (await srv!.stats()).connections === 0, 'the stuck socket to be closed');
  });
});

describe('connection cap (http.maxConnections) and request timeout', () => {
  it('refuses the socket past the cap at accept, and answers /healthz again once the idle sockets are gone', async () => {
    srv = await startFixtureServer({ maxConnections: 20 });
    // Half send nothing, half a partial request line: both hold a slot.
    for (let i = 0; i < 20; i++) await rawSocket(srv.port, i % 2 === 0 ? undefined : 'GET /healthz HT');
    await until(async () => (await srv!.stats()).connections === 20, 'the server to hold 20 sockets');

    await expect(get(srv.port, '/healthz')).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) as unknown });
    expect(await srv.stats()).toMatchObject({ connections: 20, refusedConnections: 1 });
    await expect(get(srv.port, '/healthz')).rejects.toThrow();
    // A flood is logged once per interval, not once per socket.
    expect(srv.log.lines.filter((l) => l.level === 'warn' && /http\.maxConnections/.test(l.msg ?? ''))).toHaveLength(1);

    for (const s of sockets.splice(0)) s.destroy();
    await until(async () => (await srv!.stats()).connections === 0, 'the idle sockets to close');
    const health = await get(srv.port, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
  });

  it('answers 408 and closes sockets that send no whole request within http.requestTimeoutMs, freeing their slots', async () => {
    srv = await startFixtureServer({ maxConnections: 4, requestTimeoutMs: 300 });
    const idle = [await rawSocket(srv.port), await rawSocket(srv.port), await rawSocket(srv.port, 'GET /healthz HT'), await rawSocket(srv.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n')];
    const received = idle.map(
      (s) =>
        new Promise<string>((resolve) => {
          let text = '';
          s.setEncoding('utf8');
          s.on('data', (chunk: string) => (text += chunk));
          s.on('close', () => resolve(text));
        }),
    );
    await until(async () => (await srv!.stats()).connections === 4, 'the server to hold 4 sockets');
    await expect(get(srv.port, '/healthz')).rejects.toThrow();

    const started = Date.now();
    const texts = await Promise.all(received);
    for (const text of texts) expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    // The timeout plus at most one check interval (a quarter of it), with slack for a busy machine.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await get(srv.port, '/healthz')).status).toBe(200);
  });
});
