import type { GatewayClient } from '@openclaw/gateway-client';
import { OpenClawError, errorCode, errorMessage } from './errors.js';

/** A gateway event as the link passes it on. */
export interface LinkEvent {
  readonly event: string;
  readonly payload: unknown;
}

/** Settings of one link to one gateway. */
export interface LinkOptions {
  readonly url: string;
  readonly token: string | undefined;
  readonly requestTimeoutMs: number;
  readonly reconnect: { readonly minMs: number; readonly maxMs: number };
  readonly onEvent: (event: LinkEvent) => void;
  /** Connected, authorised with operator.admin and subscribed to session events. */
  readonly onUp: () => void;
  readonly onDown: (error: OpenClawError) => void;
  readonly log: { warn(o: object, msg?: string): void; debug(o: object, msg?: string): void };
  /** Injectable for tests of the backoff. */
  readonly random?: () => number;
  /** Injectable for tests of a missing client module; default the installed `@openclaw/gateway-client`, imported once. */
  readonly loadClient?: () => Promise<typeof GatewayClient>;
}

const REQUIRED_SCOPE = 'operator.admin';
const SCOPES = ['operator.read', 'operator.write', REQUIRED_SCOPE];
/** Connect errors that retrying with the same settings cannot fix. */
const FATAL = new Set(['AUTH_TOKEN_MISMATCH', 'AUTH_TOKEN_MISSING', 'AUTH_PASSWORD_MISMATCH', 'SCOPE_MISSING', 'PROTOCOL_MISMATCH', 'AUTH_SCOPE_MISMATCH', 'PAIRING_REQUIRED']);

/** Next reconnect delay: exponential from minMs to maxMs with ±25 % jitter so many watchdogs do not reconnect in step. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.max(minMs, Math.min(maxMs, Math.round(base * (0.75 + random() * 0.5))));
}

type GatewayClientClass = typeof GatewayClient;

let clientModule: Promise<GatewayClientClass> | undefined;

/**
 * The gateway client (and its WebSocket library), imported at the first connection: a daemon without an openclaw
 * source never loads it (~20 MB of RSS). A failed import is forgotten, so a later attempt tries again.
 */
function importGatewayClient(): Promise<GatewayClientClass> {
  clientModule ??= import('@openclaw/gateway-client').then(
    (m) => m.GatewayClient,
    (error: unknown) => {
      clientModule = undefined;
      throw error;
    },
  );
  return clientModule;
}

/**
 * One logical connection to a gateway, built on the official `@openclaw/gateway-client`. Each attempt uses a fresh
 * GatewayClient that is stopped on close: the link owns reconnection because the client's own backoff is fixed
 * (1 s → 30 s, no jitter) and our config makes it tunable and jittered.
 */
export class GatewayLink {
  readonly #opts: LinkOptions;
  #client: GatewayClient | undefined;
  #up = false;
  /** A down event was sent since the last up: retries that fail again stay quiet. */
  #downReported = false;
  #closed = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #firstOutcome: { resolve: () => void; reject: (e: OpenClawError) => void } | undefined;

  constructor(opts: LinkOptions) {
    this.#opts = opts;
  }

  isUp(): boolean {
    return this.#up;
  }

  /** Resolves after the first attempt: up, or down with a retryable error (reconnecting goes on); rejects on a fatal one. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#firstOutcome = { resolve, reject };
      this.#connect();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#up = false;
    if (client) await client.stopAndWait({ timeoutMs: 1_000 }).catch(() => undefined);
  }

  /** One RPC; rejects with an OpenClawError carrying the gateway's code and message. */
  async request<T>(method: string, params: object): Promise<T> {
    const client = this.#client;
    if (!client || !this.#up) throw new OpenClawError('GATEWAY_DOWN', `not connected to the OpenClaw gateway at ${this.#opts.url}`);
    try {
      return await client.request<T>(method, params, { timeoutMs: this.#opts.requestTimeoutMs });
    } catch (error) {
      throw OpenClawError.from(error, method);
    }
  }

  #connect(): void {
    if (this.#closed) return;
    (this.#opts.loadClient ?? importGatewayClient)()
      .then(
        (Client) => this.#open(Client),
        (error: unknown) => {
          throw new OpenClawError('CLIENT_MISSING', `cannot load the OpenClaw gateway client (@openclaw/gateway-client): ${errorMessage(error)}; reinstall clawwarden`);
        },
      )
      .catch((error: unknown) =>
        this.#cannotOpen(error instanceof OpenClawError ? error : new OpenClawError('CONNECT_FAILED', `cannot connect to the OpenClaw gateway at ${this.#opts.url}: ${errorMessage(error)}`)),
      );
  }

  /** No client could be built (its module is missing or its constructor threw): fatal at start, never an unhandled rejection. */
  #cannotOpen(failure: OpenClawError): void {
    if (this.#closed) return;
    this.#opts.log.debug({ code: failure.code }, 'openclaw link down');
    const first = this.#firstOutcome;
    this.#firstOutcome = undefined;
    if (first) {
      this.#closed = true;
      first.reject(failure);
      return;
    }
    if (!this.#downReported) {
      this.#downReported = true;
      this.#opts.onDown(failure);
    }
    this.#timer = setTimeout(() => this.#connect(), this.#opts.reconnect.maxMs);
  }

  #open(Client: GatewayClientClass): void {
    if (this.#closed) return;
    let settled = false;
    // Several callbacks (connect error, close, reconnect paused) report one failed attempt; act on the first only.
    const fail = (error: OpenClawError): void => {
      if (settled || this.#closed) return;
      settled = true;
      const wasUp = this.#up;
      this.#up = false;
      if (this.#client === client) this.#client = undefined;
      client.stop();
      const fatal = FATAL.has(error.code);
      if (this.#firstOutcome) {
        const first = this.#firstOutcome;
        this.#firstOutcome = undefined;
        if (fatal) {
          this.#closed = true;
          first.reject(error);
          return;
        }
        first.resolve();
      }
      this.#opts.log.debug({ code: error.code, wasUp }, 'openclaw link down');
      if (wasUp || !this.#downReported) {
        this.#downReported = true;
        this.#opts.onDown(error);
      }
      const delay = backoffDelay(this.#attempt++, this.#opts.reconnect.minMs, this.#opts.reconnect.maxMs, this.#opts.random ?? Math.random);
      // A fatal error after the first start (token rotated, scope revoked) still retries, slowly: someone may fix the gateway.
      this.#timer = setTimeout(() => this.#connect(), fatal ? this.#opts.reconnect.maxMs : delay);
    };

    const client: GatewayClient = new Client({
      url: this.#opts.url,
      ...(this.#opts.token !== undefined && { token: this.#opts.token }),
      // A device-less backend connection: on loopback with the shared token the gateway grants admin scopes.
      deviceIdentity: null,
      clientName: 'gateway-client',
      clientDisplayName: 'clawwarden',
      mode: 'backend',
      role: 'operator',
      scopes: SCOPES,
      minProtocol: 4,
      maxProtocol: 4,
      requestTimeoutMs: this.#opts.requestTimeoutMs,
      onHelloOk: (hello) => {
        const granted = (hello as { auth?: { scopes?: unknown } }).auth?.scopes;
        const scopes = Array.isArray(granted) ? granted.filter((s): s is string => typeof s === 'string') : [];
        if (!scopes.includes(REQUIRED_SCOPE)) {
          fail(
            new OpenClawError(
              'SCOPE_MISSING',
              `the OpenClaw gateway at ${this.#opts.url} did not grant ${REQUIRED_SCOPE} (granted: ${scopes.join(', ') || 'none'}); clawwarden needs it to abort runs it did not start — connect with the gateway's shared token or an admin device`,
            ),
          );
          return;
        }
        // Subscribe before reporting up, so the consumer's re-sync cannot miss events that arrive in between.
        client
          .request('sessions.subscribe', {}, { timeoutMs: this.#opts.requestTimeoutMs })
          .then(() => {
            if (settled || this.#closed) return;
            this.#attempt = 0;
            this.#up = true;
            this.#downReported = false;
            this.#client = client;
            if (this.#firstOutcome) {
              this.#firstOutcome.resolve();
              this.#firstOutcome = undefined;
            }
            this.#opts.onUp();
          })
          .catch((error: unknown) => fail(OpenClawError.from(error, 'sessions.subscribe')));
      },
      onConnectError: (error) => fail(OpenClawError.connect(error, this.#opts.url)),
      onReconnectPaused: (info) =>
        fail(new OpenClawError(info.detailCode ?? 'CONNECT_REFUSED', `the OpenClaw gateway at ${this.#opts.url} refused the connection: ${info.reason || info.detailCode || 'no reason given'}`)),
      onClose: (code, reason, info) => {
        const connectError = info?.connectError;
        if (connectError) fail(OpenClawError.connect(connectError, this.#opts.url));
        else fail(new OpenClawError('GATEWAY_CLOSED', `the OpenClaw gateway at ${this.#opts.url} closed the connection (${code}${reason ? `: ${reason}` : ''})`));
      },
      onEvent: (frame) => {
        if (client === this.#client) this.#opts.onEvent({ event: frame.event, payload: frame.payload });
      },
      hostDeps: {
        logDebug: (message) => this.#opts.log.debug({ gatewayClient: message }),
        logError: (message) => this.#opts.log.debug({ gatewayClient: message }),
      },
    });
    // Events may arrive between hello and subscribe's reply; route them once the client is the current one.
    this.#client = client;
    try {
      client.start();
    } catch (error) {
      fail(new OpenClawError(errorCode(error) ?? 'CONNECT_FAILED', `cannot connect to the OpenClaw gateway at ${this.#opts.url}: ${errorMessage(error)}`));
    }
  }
}
