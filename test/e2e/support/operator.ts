import { GatewayClient } from '@openclaw/gateway-client';

/** A second, independent gateway client that starts work the way a user or a channel would. */
export interface Operator {
  request<T = Record<string, unknown>>(method: string, params: object): Promise<T>;
  /** Starts a run in a new session `agent:main:<name>` with this message; resolves when the gateway accepted it. */
  create(name: string, message: string): Promise<{ key: string; sessionId: string }>;
  /** Sends a message to an existing session (`chat.send`). */
  send(key: string, message: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Connects an operator client with the shared token; a loaded machine can time the first handshakes out, so it tries three times. */
export async function connectOperator(url: string, token: string): Promise<Operator> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(url, token);
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

async function connectOnce(url: string, token: string): Promise<Operator> {
  let client!: GatewayClient;
  await new Promise<void>((resolve, reject) => {
    client = new GatewayClient({
      url,
      token,
      deviceIdentity: null,
      clientName: 'gateway-client',
      mode: 'backend',
      role: 'operator',
      scopes: ['operator.read', 'operator.write', 'operator.admin'],
      minProtocol: 4,
      maxProtocol: 4,
      onHelloOk: () => resolve(),
      onConnectError: (e) => {
        // Do not leave a failed client reconnecting in the background.
        void client.stopAndWait({ timeoutMs: 1_000 }).catch(() => undefined);
        reject(e);
      },
    });
    client.start();
  });
  let n = 0;
  const request = <T>(method: string, params: object): Promise<T> => client.request<T>(method, params, { timeoutMs: 30_000 });
  return {
    request,
    create: async (name, message) => {
      const key = `agent:main:${name}`;
      const reply = await request<{ sessionId?: string }>('sessions.create', { key, agentId: 'main', message });
      return { key, sessionId: String(reply.sessionId) };
    },
    send: (key, message) => request('chat.send', { sessionKey: key, message, idempotencyKey: `e2e-${Date.now()}-${++n}` }),
    close: async () => {
      await client.stopAndWait({ timeoutMs: 1_000 }).catch(() => undefined);
    },
  };
}

/** Polls `fn` until it returns a value other than undefined, or throws after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error as Error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the gateway's row for `key` shows no run in progress (polled every 200 ms, up to 3 minutes). */
export function untilIdle(operator: Pick<Operator, 'request'>, key: string): Promise<true> {
  return eventually(
    `${key} to be idle`,
    async () => {
      const rows = (await operator.request<{ sessions: { key: string; hasActiveRun?: boolean }[] }>('sessions.list', { limit: 500 })).sessions;
      return rows.find((r) => r.key === key)?.hasActiveRun === false ? true : undefined;
    },
    180_000,
    200,
  );
}
