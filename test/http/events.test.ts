import { request, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN, startFixtureServer } from './harness.js';

let srv: Awaited<ReturnType<typeof startFixtureServer>> | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** Opens the event stream and collects its text; `waitFor` resolves once the text matches. */
function openStream(base: string): Promise<{ res: IncomingMessage; text: () => string; waitFor: (re: RegExp) => Promise<void>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/api/v1/events`, (res) => {
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
      resolve({
        res,
        text: () => text,
        waitFor: (re) => (re.test(text) ? Promise.resolve() : new Promise((done) => waiters.push({ re, done }))),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe('server-sent events', () => {
  it('frames view updates as named events with one-line JSON', async () => {
    srv = await startFixtureServer();
    const stream = await openStream(srv.base);
    expect(stream.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await stream.waitFor(/event: hello\n/);
    srv.view.emit({ type: 'journal', entry: { seq: 7, time: '2026-01-01T00:00:00Z', type: 'action', reason: 'paused\nby policy', session: 'k' } });
    srv.view.emit({ type: 'sessions', at: 42 });
    await stream.waitFor(/event: sessions\n/);
    const events = stream
      .text()
      .split('\n\n')
      .filter((b) => b.includes('event: '));
    expect(stream.text().startsWith('retry: 3000\n\n')).toBe(true);
    const journal = events.find((b) => b.includes('event: journal'))!;
    const lines = journal.split('\n');
    expect(lines[0]).toMatch(/^id: \d+$/);
    expect(lines[1]).toBe('event: journal');
    expect(JSON.parse(lines[2]!.replace(/^data: /, ''))).toMatchObject({ type: 'journal', entry: { seq: 7, reason: 'paused\nby policy' } });
    expect(lines).toHaveLength(3);
    stream.close();
  });

  it('sends heartbeats while idle', async () => {
    srv = await startFixtureServer({ heartbeatMs: 20 });
    const stream = await openStream(srv.base);
    await stream.waitFor(/: heartbeat\n\n[\s\S]*: heartbeat\n\n/);
    stream.close();
  });

  it('unsubscribes when the client goes away, and other requests are unaffected', async () => {
    srv = await startFixtureServer();
    const a = await openStream(srv.base);
    const b = await openStream(srv.base);
    await until(() => srv!.view.listeners.size === 2);
    a.close();
    await until(() => srv!.view.listeners.size === 1);
    srv.view.emit({ type: 'sessions', at: 1 });
    await b.waitFor(/event: sessions/);
    expect((await fetch(`${srv.base}/api/v1/sessions`)).status).toBe(200);
    b.close();
    await until(() => srv!.view.listeners.size === 0);
  });

  it('ends open streams when the server closes', async () => {
    srv = await startFixtureServer();
    const stream = await openStream(srv.base);
    await until(() => srv!.view.listeners.size === 1);
    const ended = new Promise<void>((r) => stream.res.on('close', () => r()));
    await srv.close();
    srv = undefined;
    await ended;
    expect(stream.res.complete).toBe(true);
  });

  it('never puts the API token into an event', async () => {
    srv = await startFixtureServer();
    const stream = await openStream(srv.base);
    await stream.waitFor(/event: hello/);
    srv.view.emit({ type: 'journal', entry: { seq: 1, time: '2026-01-01T00:00:00Z', type: 'source', reason: `rejected ${TOKEN}` } });
    await stream.waitFor(/event: journal/);
    expect(stream.text()).toContain('rejected [redacted]');
    expect(stream.text()).not.toContain(TOKEN);
    stream.close();
  });
});
