import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { Decision, SessionRef } from '../../src/engine/types.js';

/** A session-scope violation decision as the engine would produce it. */
export function decision(overrides: Partial<Decision> = {}): Decision {
  const target: SessionRef = { source: 'home', key: 'agent:main:loop', generation: 'g-1', agent: 'main', main: false, active: true };
  return {
    id: 'session-token-cap/home/agent:main:loop/g-1/1/0',
    policy: 'session-token-cap',
    kind: 'violation',
    scope: 'session',
    subject: 'session agent:main:loop',
    stateKey: 'session-token-cap/home/agent:main:loop',
    targets: [target],
    step: 0,
    episode: 1,
    actions: [{ action: 'notify', notifiers: 'all' }, { action: 'stop' }],
    reason: 'tokens.total 231,402 > 200,000 (policy session-token-cap)',
    measurements: [{ metric: 'tokens.total', value: 231_402, op: '>', threshold: 200_000, text: 'tokens.total 231,402 > 200,000', ratio: 1.157 }],
    mode: 'enforce',
    ...overrides,
  };
}

/** A log that remembers every line, to assert on what was (and was not) logged. */
export function memoryLog(): { lines: { level: string; obj: object; msg?: string }[]; debug: L; info: L; warn: L; error: L; text(): string } {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at =
    (level: string): L =>
    (obj, msg) =>
      lines.push({ level, obj, ...(msg !== undefined ? { msg } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), text: () => JSON.stringify(lines) };
}
type L = (obj: object, msg?: string) => void;

export interface MailSink {
  readonly port: number;
  readonly mails: (ParsedMail & { secure: boolean; user?: string })[];
  /** Resolves when `count` mails arrived. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 (OS-chosen port) that parses every mail it receives. */
export async function startMailSink(options: SMTPServerOptions = {}): Promise<MailSink> {
  const mails: MailSink['mails'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: options.key ? [] : ['STARTTLS'],
    logger: false,
    ...options,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(Object.assign(mail, { secure: session.secure, ...(session.user !== undefined ? { user: String(session.user) } : {}) }));
          for (const w of waiters.filter((w) => mails.length >= w.count)) w.resolve();
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    waitFor: (count) => (mails.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface HookSink {
  readonly url: string;
  readonly requests: { path: string; headers: IncomingHttpHeaders; body: unknown }[];
  /** Status to answer with (e.g. 500 to simulate a broken receiver). */
  status: number;
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every webhook POST. */
export async function startHookSink(status = 200): Promise<HookSink> {
  const requests: HookSink['requests'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sink = { status };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
      for (const w of waiters.filter((w) => requests.length >= w.count)) w.resolve();
      res.statusCode = sink.status;
      res.end(sink.status < 300 ? 'ok' : 'broken');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(sink, {
    url: `http://127.0.0.1:${port}/hooks/T000/SECRETPATH`,
    requests,
    waitFor: (count: number) => (requests.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A throw-away self-signed certificate for 127.0.0.1 made with openssl, or undefined when openssl is missing. */
export function throwAwayCert(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'clawwarden-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
      stdio: 'ignore',
    });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TCP port on 127.0.0.1 with nothing listening (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `condition()` holds (polled every 10 ms); the test's own timeout bounds it. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
