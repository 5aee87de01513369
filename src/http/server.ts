import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULTS } from '../config/settings.js';
import type { Secret } from '../domain/secret.js';
import type { WardenView } from './view.js';
import { requireBearer } from './auth.js';
import { HttpError } from './errors.js';
import { corsHeaders, hostAllowed, parseListen, SECURITY_HEADERS } from './boundary.js';
import { EventStreams, limitConnections } from './limits.js';
import { matchPath, type HttpLog, type Reply, type Route, type RouteContext } from './route.js';
import { auditRoutes } from './routes/audit.js';
import { consoleRoutes } from './routes/console.js';
import { consoleApiRoutes } from './routes/console-api.js';
import { eventRoutes } from './routes/events.js';
import { explainRoutes } from './routes/explain.js';
import { probeRoutes } from './routes/probes.js';
import { sessionRoutes } from './routes/sessions.js';
import { vendorRoutes } from './routes/vendor.js';

export interface HttpServerOptions {
  readonly view: WardenView;
  readonly metrics: { render(): Promise<string>; readonly contentType: string };
  /** `host:port` (`[::1]:9464` for IPv6); port 0 lets the OS choose. */
  readonly listen: string;
  /** Bearer token for writes; without one every write is refused (403). */
  readonly token?: Secret;
  /** Origins that get CORS headers; empty = closed. */
  readonly corsOrigins: readonly string[];
  readonly log: HttpLog;
  /** Interval of SSE comment heartbeats; default 15 s. */
  readonly heartbeatMs?: number;
  /** Where the console's static files are; default the packaged `console/`. */
  readonly consoleDir?: string;
  /** Open sockets past this are refused at accept; default `DEFAULTS.httpMaxConnections`. */
  readonly maxConnections?: number;
  /** Event streams past this are answered 503 with Retry-After; default `DEFAULTS.httpMaxEventStreams`. */
  readonly maxEventStreams?: number;
  /** A socket that has not sent a whole request (headers and body) within this is answered 408 and closed; default `DEFAULTS.httpRequestTimeoutMs`. */
  readonly requestTimeoutMs?: number;
}

/** What the server holds right now, and what it refused since it started. */
export interface HttpServerStats {
  readonly connections: number;
  readonly eventStreams: number;
  readonly refusedConnections: number;
  readonly refusedEventStreams: number;
}

export interface HttpServer {
  /** Binds and resolves with the bound address (the OS-chosen port when `listen` says 0). */
  listen(): Promise<{ host: string; port: number }>;
  /** Ends event streams and open connections, then stops listening. */
  close(): Promise<void>;
  /** Open sockets and event streams now, and refusals so far (for tests and diagnostics). */
  stats(): Promise<HttpServerStats>;
}

/** The API, probes, metrics, event stream and console on node:http, over a daemon's `WardenView`. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { host, port } = parseListen(options.listen);
  const routes: readonly Route[] = [...probeRoutes, ...sessionRoutes, ...explainRoutes, ...auditRoutes, ...consoleApiRoutes, ...eventRoutes, ...consoleRoutes(options.consoleDir), ...vendorRoutes()];
  const streams = new EventStreams(options.maxEventStreams ?? DEFAULTS.httpMaxEventStreams);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.httpRequestTimeoutMs;
  const secret = options.token?.reveal();
  let nextRequestId = 1;

  // Secrets already render as [redacted] through toJSON; the scrub is the second line, for a token quoted inside some message.
  const serialize = (value: unknown): string => {
    const text = (JSON.stringify(value) as string | undefined) ?? 'null'; // undefined for undefined, whatever lib.d.ts says
    return secret !== undefined && secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
  };

  const send = (res: ServerResponse, reply: Exclude<Reply, { streaming: true }>): void => {
    const headers: Record<string, string> = { ...reply.headers };
    let body: string | Buffer;
    if ('json' in reply) {
      body = serialize(reply.json);
      headers['Content-Type'] = 'application/json; charset=utf-8';
      headers['Cache-Control'] ??= 'no-store';
    } else {
      body = reply.body;
      headers['Content-Type'] = reply.contentType;
    }
    headers['Content-Length'] = String(Buffer.byteLength(body));
    res.writeHead(reply.status, headers);
    res.end(body);
  };

  const fail = (res: ServerResponse, err: unknown, requestId: number, req: IncomingMessage): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) {
      send(res, { status: err.status, json: { error: { code: err.code, message: err.message, ...err.extra } }, headers: err.headers });
      return;
    }
    options.log.error({ err, requestId, method: req.method, url: req.url }, 'HTTP request failed');
    send(res, { status: 500, json: { error: { code: 'INTERNAL', message: `internal error (request ${requestId}); the clawwarden log has the details` } } });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader('Vary', 'Origin');
    if (!hostAllowed(host, req.headers.host)) {
      throw new HttpError(403, 'BAD_HOST', `Host "${req.headers.host ?? ''}" is not accepted on a loopback listener; use 127.0.0.1, localhost or [::1]`);
    }
    let url: URL;
    try {
      url = new URL(`http://clawwarden${req.url ?? '/'}`);
    } catch {
      throw new HttpError(400, 'BAD_REQUEST', 'malformed request target');
    }
    const matched: { route: Route; params: Record<string, string> }[] = [];
    for (const route of routes) {
      const params = matchPath(route.path, url.pathname);
      if (params !== undefined) matched.push({ route, params });
    }
    const methods = [...new Set(matched.map((m) => m.route.method))];
    // HEAD is GET without the body (node drops it); the event stream has no meaningful HEAD.
    const allow = methods.includes('GET') && url.pathname !== '/api/v1/events' ? [...methods, 'HEAD'] : methods;
    const cors = corsHeaders(options.corsOrigins, req.headers.origin, allow);
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    if (matched.length === 0) throw new HttpError(404, 'NOT_FOUND', `no route ${url.pathname}; the API lives under /api/v1 (sessions, policies, journal, events, cleanup)`);
    if (req.method === 'OPTIONS') {
      if (Object.keys(cors).length === 0) throw new HttpError(403, 'CORS_REFUSED', 'cross-origin requests from this origin are not allowed; add it to http.corsOrigins');
      res.writeHead(204, { Allow: [...allow, 'OPTIONS'].join(', ') });
      res.end();
      return;
    }
    const method = req.method === 'HEAD' && allow.includes('HEAD') ? 'GET' : req.method;
    const hit = matched.find((m) => m.route.method === method);
    if (hit === undefined) {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed on ${url.pathname}; allowed: ${allow.join(', ')}`, { allowed: allow }, { Allow: allow.join(', ') });
    }
    if (hit.route.write === true) requireBearer(req, options.token);
    const ctx: RouteContext = {
      req,
      res,
      url,
      params: hit.params,
      view: options.view,
      metrics: options.metrics,
      token: options.token,
      log: options.log,
      heartbeatMs: options.heartbeatMs ?? 15_000,
      serialize,
      openStream: (stop) => streams.add(stop),
    };
    const reply = await hit.route.handle(ctx);
    if (!('streaming' in reply)) send(res, reply);
  };

  // A client that trickles its request in, or connects and sends nothing (node counts that against headersTimeout too),
  // gets a 408 and is closed; event streams are responses and are not affected. The check runs often enough that such
  // a socket outlives its timeout by at most a quarter of it (1 s at most).
  const timeouts = { headersTimeout: requestTimeoutMs, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeoutMs / 4))) };
  const server = createServer(timeouts, (req, res) => {
    const requestId = nextRequestId++;
    const started = process.hrtime.bigint();
    // Path only: query strings may carry filters but never credentials; the Authorization header is never logged.
    res.on('finish', () =>
      options.log.debug({ requestId, method: req.method, path: (req.url ?? '').split('?')[0], status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'http request'),
    );
    handle(req, res).catch((err: unknown) => fail(res, err, requestId, req));
  });
  const connections = limitConnections(server, options.maxConnections ?? DEFAULTS.httpMaxConnections, options.log);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          options.log.info({ host: address.address, port: address.port }, 'HTTP API and console listening');
          resolve({ host: address.address, port: address.port });
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        streams.stopAll();
        server.close((err) => (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING' ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
    stats: async () => ({
      connections: await new Promise<number>((resolve) => server.getConnections((err, count) => resolve(err ? 0 : count))),
      eventStreams: streams.open,
      refusedConnections: connections.refused(),
      refusedEventStreams: streams.refused,
    }),
  };
}
