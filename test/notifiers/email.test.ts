import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/index.js';
import { Secret } from '../../src/domain/secret.js';
import { create, loadTransport } from '../../src/notifiers/email.js';
import { NotifierError } from '../../src/notifiers/errors.js';
import { actionMessage, testMessage } from '../../src/notifiers/messages.js';
import { decision, startMailSink, throwAwayCert, type MailSink } from './fixtures.js';

const sinks: MailSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

const stopped = actionMessage(
  { decision: decision(), action: 'stop', mode: 'enforce', results: [{ target: decision().targets[0]!, status: 'done', detail: 'run aborted' }] },
  Date.UTC(2026, 0, 5, 12),
);

describe('email notifier against a real SMTP server', () => {
  it('delivers a mail whose subject and body carry the policy, session, agent and measurements', async () => {
    const sink = await startMailSink();
    sinks.push(sink);
    const notifier = create('ops-email', { smtp: { host: '127.0.0.1', port: sink.port }, from: 'warden@example.com', to: ['ops@example.com', 'oncall@example.com'], subjectPrefix: '[prod] ' });
    await notifier.send(stopped);
    await sink.waitFor(1);
    const mail = sink.mails[0]!;
    expect(mail.subject).toBe('[prod] [clawwarden] Stopped agent:main:loop — tokens.total 231,402 > 200,000');
    expect(mail.from?.text).toBe('warden@example.com');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual(['ops@example.com', 'oncall@example.com']);
    for (const part of ['Policy: session-token-cap', 'Session: agent:main:loop', 'Agent: main', 'Measured: tokens.total 231,402 > 200,000', 'Result: agent:main:loop: done — run aborted']) {
      expect(mail.text).toContain(part);
    }
    expect(mail.headers.get('x-clawwarden-kind')).toBe('action');
    expect(mail.headers.get('x-clawwarden-dedup-key')).toBe(stopped.dedupKey);
  });

  it('authenticates with user and password given as secrets', async () => {
    const seen: { user?: string; pass?: string } = {};
    const sink = await startMailSink({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        seen.user = auth.username;
        seen.pass = auth.password ?? undefined;
        if (auth.username === 'warden' && auth.password === 's3cret-pass') callback(null, { user: 'warden' });
        else callback(new Error('Invalid username or password'));
      },
    });
    sinks.push(sink);
    const good = create('ops-email', {
      smtp: { host: '127.0.0.1', port: sink.port, auth: { user: new Secret('warden', 'env:SMTP_USER'), pass: new Secret('s3cret-pass', 'env:SMTP_PASSWORD') } },
      from: 'warden@example.com',
      to: ['ops@example.com'],
    });
    await good.send(testMessage('ops-email', 1));
    await sink.waitFor(1);
    expect(sink.mails[0]?.user).toBe('warden');
    expect(seen).toEqual({ user: 'warden', pass: 's3cret-pass' });

    const bad = create('ops-email', {
      smtp: { host: '127.0.0.1', port: sink.port, auth: { user: 'warden', pass: new Secret('wrong-password', 'env:SMTP_PASSWORD') } },
      from: 'warden@example.com',
      to: ['ops@example.com'],
    });
    const error = await bad.send(testMessage('ops-email', 2)).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error?.code).toBe('NOTIFIER_TRANSPORT');
    expect(error?.message).toMatch(/^email ops-email: /);
    expect(error?.message).not.toContain('wrong-password');
  });

  it('upgrades to TLS with STARTTLS when requireTLS is set', async () => {
    const cert = throwAwayCert();
    if (!cert && process.env['CI']) throw new Error('openssl is needed for the STARTTLS test under CI');
    const sink = await startMailSink({ ...(cert ?? {}), disabledCommands: [] });
    sinks.push(sink);
    const notifier = create('ops-email', {
      smtp: { host: '127.0.0.1', port: sink.port, requireTLS: true, tls: { rejectUnauthorized: false } },
      from: 'warden@example.com',
      to: ['ops@example.com'],
    });
    await notifier.send(testMessage('ops-email', 3));
    await sink.waitFor(1);
    expect(sink.mails[0]?.secure).toBe(true);
  });

  it('refuses an untrusted certificate unless told otherwise', async () => {
    const sink = await startMailSink({ ...(throwAwayCert() ?? {}), disabledCommands: [] });
    sinks.push(sink);
    const notifier = create('ops-email', { smtp: { host: '127.0.0.1', port: sink.port, requireTLS: true }, from: 'warden@example.com', to: ['ops@example.com'] });
    await expect(notifier.send(testMessage('ops-email', 4))).rejects.toMatchObject({ code: 'NOTIFIER_TRANSPORT' });
    expect(sink.mails).toHaveLength(0);
  });

  it('speaks implicit TLS when secure is set', async () => {
    const sink = await startMailSink({ ...(throwAwayCert() ?? {}), secure: true, disabledCommands: [] });
    sinks.push(sink);
    const notifier = create('ops-email', { smtp: { host: '127.0.0.1', port: sink.port, secure: true, tls: { rejectUnauthorized: false } }, from: 'warden@example.com', to: ['ops@example.com'] });
    await notifier.send(testMessage('ops-email', 5));
    await sink.waitFor(1);
    expect(sink.mails[0]?.secure).toBe(true);
  });
});

describe('email transport loading', () => {
  it('a transport module that cannot be imported fails the send with a NotifierError naming the notifier, not a crash', async () => {
    const failed = loadTransport('ops-email', () => Promise.reject(new Error("Cannot find package 'nodemailer'")));
    await expect(failed).rejects.toBeInstanceOf(NotifierError);
    await expect(failed).rejects.toMatchObject({
      code: 'NOTIFIER_TRANSPORT',
      message: expect.stringContaining("email ops-email: cannot load the SMTP transport (nodemailer): Cannot find package 'nodemailer'") as unknown,
    });
  });

  it('loads the installed nodemailer when first asked', async () => {
    const nodemailer = await loadTransport('ops-email');
    expect(typeof nodemailer.createTransport).toBe('function');
  });
});

describe('email options at config load', () => {
  it('bad smtp options still fail when the config is loaded, before any transport is needed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawwarden-email-'));
    try {
      writeFileSync(
        join(dir, 'clawwarden.yaml'),
        `sources:
  - name: demo
    type: demo
notifiers:
  ops-email: { type: email, smtp: { host: 127.0.0.1, port: 70000 }, from: warden@example.com, to: [ops@example.com] }
policies:
  - name: cap
    when: { tokens.total: "> 200k" }
    do: [ notify ]
`,
      );
      const { config, errors } = loadConfig({ file: join(dir, 'clawwarden.yaml'), cwd: dir, env: {} });
      expect(config).toBeUndefined();
      expect(errors.map(formatConfigError).join('\n')).toContain('notifiers.ops-email.smtp.port');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
