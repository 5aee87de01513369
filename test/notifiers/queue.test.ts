import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/domain/secret.js';
import { createNotifiers } from '../../src/notifiers/index.js';
import { testMessage, violationMessage } from '../../src/notifiers/messages.js';
import { NotificationQueue, type NotificationQueueOptions, type NotificationResult } from '../../src/notifiers/queue.js';
import type { Notification } from '../../src/notifiers/types.js';
import { deadPort, decision, memoryLog, startHookSink, startMailSink, until, type HookSink, type MailSink } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clawwarden-queue-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function sinks(): Promise<{ hook: HookSink; mail: MailSink }> {
  const hook = await startHookSink();
  const mail = await startMailSink();
  cleanups.push(
    () => hook.close(),
    () => mail.close(),
  );
  return { hook, mail };
}

function counted(): { results: [string, NotificationResult][]; onResult: (n: string, r: NotificationResult) => void } {
  const results: [string, NotificationResult][] = [];
  return { results, onResult: (n, r) => results.push([n, r]) };
}

function message(n: number): Notification {
  return violationMessage(decision({ id: `d-${n}` }), 1_000 + n);
}

async function open(options: NotificationQueueOptions): Promise<NotificationQueue> {
  const queue = await NotificationQueue.open(options);
  cleanups.push(() => queue.close(1_000));
  return queue;
}

describe('NotificationQueue', () => {
  it('retries a dead SMTP server and a webhook answering 500, counts them as errors, and meanwhile delivers to a healthy notifier', async () => {
    const healthy = await startHookSink();
    const broken = await startHookSink(500);
    cleanups.push(
      () => healthy.close(),
      () => broken.close(),
    );
    const log = memoryLog();
    const { results, onResult } = counted();
    const smtpPassword = 'smtp-pass-XYZ';
    const queue = await open({
      notifiers: createNotifiers([
        {
          name: 'mail',
          type: 'email',
          options: { smtp: { host: '127.0.0.1', port: await deadPort(), auth: { user: 'u', pass: new Secret(smtpPassword, 'env:P') } }, from: 'w@example.com', to: ['o@example.com'] },
        },
        { name: 'broken-hook', type: 'webhook', options: { url: new Secret(broken.url, 'env:H') } },
        { name: 'chat', type: 'webhook', options: { url: healthy.url, format: 'slack' } },
      ]),
      stateDir: stateDir(),
      log,
      onResult,
      // Long enough that the failing lanes are still backing off while the healthy one finishes.
      retry: { attempts: 3, baseMs: 800, maxMs: 800 },
      random: () => 1,
    });

    queue.enqueue(message(1), 'all');
    queue.enqueue(message(2), 'all');
    await until(() => results.filter(([n]) => n === 'chat').length === 2);
    // The healthy lane finished both while each failing lane is still on its first message.
    expect(results.filter(([n]) => n === 'chat')).toEqual([
      ['chat', 'sent'],
      ['chat', 'sent'],
    ]);
    expect(results.filter(([n]) => n !== 'chat')).toEqual([]);

    await queue.idle();
    expect(broken.requests).toHaveLength(6);
    expect(results.filter(([n]) => n === 'broken-hook')).toEqual([
      ['broken-hook', 'error'],
      ['broken-hook', 'error'],
    ]);
    expect(results.filter(([n]) => n === 'mail')).toEqual([
      ['mail', 'error'],
      ['mail', 'error'],
    ]);
    expect(log.lines.filter((l) => l.msg === 'notification failed; retrying')).toHaveLength(8);
    expect(log.lines.filter((l) => l.msg === 'notification failed; giving up')).toHaveLength(4);
    expect(log.text()).not.toContain(smtpPassword);
    expect(log.text()).not.toContain('SECRETPATH');
  });

  it('enqueue returns before any delivery happens', async () => {
    const { hook } = await sinks();
    const queue = await open({ notifiers: createNotifiers([{ name: 'chat', type: 'webhook', options: { url: hook.url } }]), stateDir: stateDir(), log: memoryLog() });
    queue.enqueue(message(1), ['chat']);
    expect(hook.requests).toHaveLength(0);
    await queue.idle();
    expect(hook.requests).toHaveLength(1);
  });

  it('delivers a dedupKey once per notifier, also across a restart over the same state dir', async () => {
    const { hook, mail } = await sinks();
    const dir = stateDir();
    const configs = [
      { name: 'chat', type: 'webhook', options: { url: hook.url } },
      { name: 'mail', type: 'email', options: { smtp: { host: '127.0.0.1', port: mail.port }, from: 'w@example.com', to: ['o@example.com'] } },
    ];
    const first = counted();
    const q1 = await NotificationQueue.open({ notifiers: createNotifiers(configs), stateDir: dir, log: memoryLog(), onResult: first.onResult });
    q1.enqueue(message(1), 'all');
    q1.enqueue(message(1), ['chat']);
    await q1.close(5_000);
    expect(first.results.sort()).toEqual([
      ['chat', 'deduplicated'],
      ['chat', 'sent'],
      ['mail', 'sent'],
    ]);
    expect((JSON.parse(readFileSync(join(dir, 'notifications.json'), 'utf8')) as { notifiers: { chat: { sent: object } } }).notifiers.chat.sent).toHaveProperty('violation:d-1');

    const second = counted();
    const q2 = await open({ notifiers: createNotifiers(configs), stateDir: dir, log: memoryLog(), onResult: second.onResult });
    q2.enqueue(message(1), 'all');
    q2.enqueue(message(2), ['mail']);
    await q2.idle();
    expect(second.results.sort()).toEqual([
      ['chat', 'deduplicated'],
      ['mail', 'deduplicated'],
      ['mail', 'sent'],
    ]);
    expect(hook.requests).toHaveLength(1);
    expect(mail.mails.map((m) => m.headers.get('x-clawwarden-dedup-key'))).toEqual(['violation:d-1', 'violation:d-2']);
  });

  it('shares the delivery record with the queue it replaces on reload, while the old one still drains', async () => {
    const { hook } = await sinks();
    const dir = stateDir();
    const configs = [{ name: 'chat', type: 'webhook', options: { url: hook.url } }];
    const old = await NotificationQueue.open({ notifiers: createNotifiers(configs), stateDir: dir, log: memoryLog() });
    old.enqueue(message(1), 'all');
    const next = counted();
    const replacement = await open({ notifiers: createNotifiers(configs), stateDir: dir, log: memoryLog(), onResult: next.onResult, previous: old });
    await old.close(5_000);
    replacement.enqueue(message(1), 'all');
    replacement.enqueue(message(2), 'all');
    await replacement.idle();
    expect(next.results).toEqual([
      ['chat', 'deduplicated'],
      ['chat', 'sent'],
    ]);
    expect(hook.requests).toHaveLength(2);
  });

  it('rate-limits per notifier, and the window survives a restart', async () => {
    const { hook } = await sinks();
    const other = await startHookSink();
    cleanups.push(() => other.close());
    const dir = stateDir();
    const configs = [
      { name: 'chat', type: 'webhook', options: { url: hook.url, rateLimit: { count: 2, per: '1h' } } },
      { name: 'other', type: 'webhook', options: { url: other.url } },
    ];
    const first = counted();
    const q1 = await NotificationQueue.open({ notifiers: createNotifiers(configs), stateDir: dir, log: memoryLog(), onResult: first.onResult });
    for (const n of [1, 2, 3]) q1.enqueue(message(n), 'all');
    await q1.close(5_000);
    expect(first.results.filter(([n]) => n === 'chat').map(([, r]) => r)).toEqual(['sent', 'sent', 'rate-limited']);
    expect(other.requests).toHaveLength(3);

    const second = counted();
    const q2 = await open({ notifiers: createNotifiers(configs), stateDir: dir, log: memoryLog(), onResult: second.onResult });
    q2.enqueue(message(4), 'all');
    await q2.idle();
    expect(second.results.sort()).toEqual([
      ['chat', 'rate-limited'],
      ['other', 'sent'],
    ]);
    expect(hook.requests).toHaveLength(2);

    // An hour later the window has room again.
    const third = counted();
    const q3 = await open({ notifiers: createNotifiers(configs), stateDir: dir, log: memoryLog(), onResult: third.onResult, now: () => Date.now() + 3_600_001 });
    q3.enqueue(message(5), ['chat']);
    await q3.idle();
    expect(third.results).toEqual([['chat', 'sent']]);
  });

  it('gives a failed message its rate-limit slot back and lets it be retried later (not remembered as sent)', async () => {
    const hook = await startHookSink(500);
    cleanups.push(() => hook.close());
    const { results, onResult } = counted();
    const queue = await open({
      notifiers: createNotifiers([{ name: 'chat', type: 'webhook', options: { url: hook.url, rateLimit: { count: 1, per: '1h' } } }]),
      stateDir: stateDir(),
      log: memoryLog(),
      onResult,
      retry: { attempts: 1 },
    });
    queue.enqueue(message(1), ['chat']);
    await queue.idle();
    hook.status = 200;
    queue.enqueue(message(1), ['chat']);
    await queue.idle();
    expect(results).toEqual([
      ['chat', 'error'],
      ['chat', 'sent'],
    ]);
  });

  it('close() waits for the backlog, then abandons retries past its timeout', async () => {
    const hook = await startHookSink(500);
    cleanups.push(() => hook.close());
    const log = memoryLog();
    const { results, onResult } = counted();
    const queue = await NotificationQueue.open({
      notifiers: createNotifiers([{ name: 'chat', type: 'webhook', options: { url: hook.url } }]),
      stateDir: stateDir(),
      log,
      onResult,
      retry: { attempts: 10, baseMs: 60_000, maxMs: 60_000 },
      random: () => 1,
    });
    queue.enqueue(message(1), ['chat']);
    queue.enqueue(message(2), ['chat']);
    await hook.waitFor(1);
    await queue.close(200);
    expect(results).toEqual([['chat', 'error']]);
    expect(log.lines.some((l) => l.msg === 'shutting down; undelivered notifications dropped' && (l.obj as { dropped: number }).dropped === 1)).toBe(true);
    queue.enqueue(message(3), ['chat']);
    expect(hook.requests).toHaveLength(1);
  });

  it('logs and skips names it does not know', async () => {
    const { hook } = await sinks();
    const log = memoryLog();
    const queue = await open({ notifiers: createNotifiers([{ name: 'chat', type: 'webhook', options: { url: hook.url } }]), stateDir: stateDir(), log });
    queue.enqueue(testMessage('x', 1), ['nope', 'chat']);
    await queue.idle();
    expect(hook.requests).toHaveLength(1);
    expect(log.lines).toContainEqual({ level: 'warn', obj: { notifier: 'nope', kind: 'test' }, msg: 'notification for an unknown notifier dropped' });
  });
});
