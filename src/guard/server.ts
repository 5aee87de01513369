import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hostAllowed, parseListen } from '../http/boundary.js';
import { GUARD_HEADERS, GUARD_PATHS, GUARD_PROTOCOL, type DaemonMessage, type GuardReport } from './protocol.js';

/** Who connected: the source it guards and the versions it runs. */
export interface GuardPeer {
  readonly source: string;
  readonly version: string;
  readonly gatewayVersion: string;
}

/** An open verdict stream to one guard. */
export interface GuardConnection extends GuardPeer {
  readonly id: number;
  readonly since: number;
  /** Writes one message; false once the stream is gone. */
  send(message: DaemonMessage): boolean;
}

export interface GuardServerOptions {
  readonly listen: string;
  readonly token: () => string;
  /** A guard opened its stream (after auth and the protocol check); the caller sends its `hello`. */
  readonly connected: (connection: GuardConnection) => void;
  readonly disconnected: (connection: GuardConnection) => void;
  /** Which sources may connect; a sentence saying why not, or undefined when `source` may. */
  readonly refuseSource: (source: string) => string | undefined;
  readonly report: (peer: GuardPeer, report: GuardReport) => void;
  readonly log: { warn(o: object, msg?: string): void; info(o: object, msg?: string): void };
  readonly now?: () => number;
  /** Keep-alive comment interval; default 15 s (the guard reconnects after 45 s of silence). */
  readonly pingMs?: number;
}

const MAX_BODY = 4 * 1024 * 1024;
const MAX_STREAMS = 64;

/**
 * The daemon's end of the guard channel: a small HTTP server apart from the API (its own port, its own token).
 * `GET /guard/v1/verdicts` is a `text/event-stream` of verdicts that stays open; `POST /guard/v1/report` takes usage,
 * blocks and status. Every request needs `Authorization: Bearer <guard.token>` (compared in constant time).
 */
export class GuardServer {
  readonly #options: GuardServerOptions;
  readonly #server: Server;
  readonly #host: string;
  readonly #port: number;
  readonly #streams = new Map<number, { connection: GuardConnection; res: ServerResponse }>();
  readonly #sockets = new Set<Socket>();
  #ids = 0;
  #ping: NodeJS.Timeout | undefined;

  constructor(options: GuardServerOptions) {
    this.#options = options;
    ({ host: this.#host, port: this.#port } = parseListen(options.listen));
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server.headersTimeout = 10_000;
    this.#server.requestTimeout = 30_000;
  }

  /** Open verdict streams. */
  get connections(): number {
    return this.#streams.size;
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.off('error', reject);
        const address = this.#server.address() as AddressInfo;
        this.#ping = setInterval(() => {
          for (const { res } of this.#streams.values()) res.write(': ping\n\n');
        }, this.#options.pingMs ?? 15_000);
        this.#ping.unref();
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** Ends every stream and stops listening. */
  close(): Promise<void> {
    if (this.#ping) clearInterval(this.#ping);
    for (const { res } of this.#streams.values()) res.end();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (!hostAllowed(this.#host, req.headers.host)) {
      reply(res, 421, 'this listener answers only loopback host names');
      return;
    }
    if (!this.#authorized(req)) {
      reply(res, 401, 'the guard token is missing or wrong (Authorization: Bearer <guard.token>)', { 'www-authenticate': 'Bearer realm="clawwarden-guard"' });
      return;
    }
    const protocol = header(req, GUARD_HEADERS.protocol);
    if (protocol !== String(GUARD_PROTOCOL)) {
      reply(res, 409, `guard protocol ${protocol ?? '(none)'} is not this daemon's ${GUARD_PROTOCOL}: install the guard shipped with this clawwarden (clawwarden openclaw install-guard)`);
      return;
    }
    const peer: GuardPeer = {
      source: header(req, GUARD_HEADERS.source) ?? '',
      version: header(req, GUARD_HEADERS.version) ?? 'unknown',
      gatewayVersion: header(req, GUARD_HEADERS.gateway) ?? 'unknown',
    };
    const refused = this.#options.refuseSource(peer.source);
    if (refused) {
      reply(res, 403, refused);
      return;
    }
    if (req.method === 'GET' && path === GUARD_PATHS.verdicts) {
      this.#stream(peer, req, res);
      return;
    }
    if (req.method === 'POST' && path === GUARD_PATHS.report) return void this.#report(peer, req, res);
    reply(res, 404, `no such guard endpoint; expected GET ${GUARD_PATHS.verdicts} or POST ${GUARD_PATHS.report}`);
  }

  #authorized(req: IncomingMessage): boolean {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    // Hashing first gives equal-length buffers: the comparison time says nothing about the token.
    return timingSafeEqual(createHash('sha256').update(m[1]!).digest(), createHash('sha256').update(this.#options.token()).digest());
  }

  #stream(peer: GuardPeer, req: IncomingMessage, res: ServerResponse): void {
    if (this.#streams.size >= MAX_STREAMS) {
      reply(res, 503, `too many guard streams (${MAX_STREAMS})`, { 'retry-after': '5' });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    const id = ++this.#ids;
    const connection: GuardConnection = {
      ...peer,
      id,
      since: (this.#options.now ?? Date.now)(),
      send: (message) => {
        if (res.writableEnded || res.destroyed) return false;
        res.write(`data: ${JSON.stringify(message)}\n\n`);
        return true;
      },
    };
    this.#streams.set(id, { connection, res });
    const closed = (): void => {
      if (!this.#streams.delete(id)) return;
      this.#options.disconnected(connection);
    };
    res.once('close', closed);
    this.#options.connected(connection);
  }

  async #report(peer: GuardPeer, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let size = 0;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY) {
          reply(res, 413, `a report may be at most ${MAX_BODY} bytes`);
          return;
        }
        chunks.push(chunk as Buffer);
      }
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (!isReport(body)) {
        reply(res, 400, 'expected { usage?: [...], events?: [...], status?: {...} }');
        return;
      }
      this.#options.report(peer, body);
      res.writeHead(204).end();
    } catch (error) {
      this.#options.log.warn({ source: peer.source, err: error }, 'a guard report could not be read');
      if (!res.headersSent) reply(res, 400, `not a JSON report: ${(error as Error).message}`);
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function reply(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${message}\n`);
}

/** A report's outer shape; each record in it is checked where it is taken (recordFromGuard, the hub's event intake). */
function isReport(body: unknown): body is GuardReport {
  if (body === null || typeof body !== 'object') return false;
  const { usage, events } = body as { usage?: unknown; events?: unknown };
  return (usage === undefined || Array.isArray(usage)) && (events === undefined || Array.isArray(events));
}
