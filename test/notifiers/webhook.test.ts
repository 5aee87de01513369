import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/domain/secret.js';
import { violationMessage } from '../../src/notifiers/messages.js';
import { create } from '../../src/notifiers/webhook.js';
import { decision, deadPort, startHookSink, type HookSink } from './fixtures.js';

const sinks: HookSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

const message = violationMessage(decision(), Date.UTC(2026, 0, 5, 12));

describe('webhook notifier against a real HTTP server', () => {
  it('posts the whole notification as JSON with custom (secret) headers', async () => {
    const sink = await startHookSink();
    sinks.push(sink);
    const notifier = create('pager', { url: new Secret(sink.url, 'env:HOOK_URL'), headers: { Authorization: new Secret('Bearer tok-123', 'env:TOKEN'), 'X-Team': 'ops' } });
    await notifier.send(message);
    const request = sink.requests[0]!;
    expect(request.path).toBe('/hooks/T000/SECRETPATH');
    expect(request.headers['authorization']).toBe('Bearer tok-123');
    expect(request.headers['x-team']).toBe('ops');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toMatchObject({
      kind: 'violation',
      policy: 'session-token-cap',
      session: 'agent:main:loop',
      agent: 'main',
      source: 'home',
      dedupKey: message.dedupKey,
      time: '2026-01-05T12:00:00.000Z',
      measurements: [{ metric: 'tokens.total', value: 231_402, threshold: 200_000 }],
    });
    expect((request.body as { text: string }).text).toContain('Planned: notify, stop');
  });

  it('posts Slack-compatible {text} only', async () => {
    const sink = await startHookSink();
    sinks.push(sink);
    await create('chat', { url: sink.url, format: 'slack' }).send(message);
    const body = sink.requests[0]!.body as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['text']);
    expect(body['text']).toMatch(/^\[clawwarden\] Violation: session-token-cap on agent:main:loop — tokens\.total 231,402 > 200,000\n/);
    expect(body['text']).toContain('Policy: session-token-cap');
  });

  it.each([
    [500, 'webhook chat: HTTP 500'],
    [404, 'webhook chat: HTTP 404'],
  ])('rejects on HTTP %i without echoing the secret URL', async (status, text) => {
    const sink = await startHookSink(status);
    sinks.push(sink);
    const error = await create('chat', { url: new Secret(sink.url, 'env:HOOK') })
      .send(message)
      .then(
        () => undefined,
        (e: unknown) => e as Error & { code: string; status: number },
      );
    expect(error).toMatchObject({ code: 'NOTIFIER_HTTP', status, message: text });
    expect(sink.requests).toHaveLength(1);
  });

  it('rejects when nothing listens, naming the notifier but not the secret path', async () => {
    const url = `http://127.0.0.1:${await deadPort()}/hooks/T000/SECRETPATH`;
    const error = await create('chat', { url: new Secret(url, 'env:HOOK') })
      .send(message)
      .then(
        () => undefined,
        (e: unknown) => e as Error & { code: string },
      );
    expect(error?.code).toBe('NOTIFIER_TRANSPORT');
    expect(error?.message).toMatch(/^webhook chat: /);
    expect(error?.message).not.toContain('SECRETPATH');
  });

  it('gives up after timeoutMs on a receiver that never answers', async () => {
    const { createServer } = await import('node:net');
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(create('chat', { url: `http://127.0.0.1:${port}/x`, timeoutMs: 200 }).send(message)).rejects.toMatchObject({
        code: 'NOTIFIER_TIMEOUT',
        message: 'webhook chat: no answer within 200 ms',
      });
    } finally {
      server.close();
    }
  });
});
