import type { JSONSchemaType } from 'ajv';
import { DeferredSource } from '../deferred.js';
import type { ActionName } from '../../domain/action.js';
import type { Source, SourceContext, SourceModule } from '../source.js';
import { CAPABILITIES } from './capabilities.js';
import type { OpenClawOptions } from './options.js';

// The registry imports this file; the gateway client is loaded only when an openclaw source starts.
/** `type: openclaw` — a live OpenClaw gateway (WebSocket protocol v4). */
export const name = 'openclaw';
export const description = 'A live OpenClaw gateway over its WebSocket protocol (v4): sessions, per-call usage events, and stop/kill/pause/resume/cleanup/compact; needs operator.admin.';

/** The schema sees secrets as strings: the config loader validates before it swaps `${env:…}` / `{file:…}` for a Secret. */
type SchemaOptions = Omit<OpenClawOptions, 'token'> & { token?: string };

/** The options beside `name`/`type` in a `sources[]` entry. */
export const schema: JSONSchemaType<SchemaOptions> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: { type: 'string', nullable: true, pattern: '^wss?://', description: 'gateway WebSocket URL (default ws://127.0.0.1:18789)' },
    token: { type: 'string', nullable: true, minLength: 1, description: 'gateway token: ${env:NAME} or { file: path }, never inline' },
    discover: { type: 'boolean', nullable: true, description: 'read port, bind and token from ~/.openclaw/openclaw.json like the openclaw CLI' },
    requestTimeoutMs: { type: 'integer', nullable: true, minimum: 100, maximum: 600_000, description: 'per-RPC timeout (default 30000)' },
    reconnect: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        minMs: { type: 'integer', nullable: true, minimum: 10, maximum: 600_000, description: 'first reconnect delay (default 500)' },
        maxMs: { type: 'integer', nullable: true, minimum: 10, maximum: 3_600_000, description: 'longest reconnect delay (default 30000)' },
      },
    },
    usageWaitMs: { type: 'integer', nullable: true, minimum: 0, maximum: 60_000, description: 'how long to wait for the gateway usage cache to refresh (default 3000)' },
  },
};

/** Typical use, validated by the docs tests. */
export const example = `sources:
  - name: home
    type: openclaw
    url: ws://127.0.0.1:18789
    token: \${env:OPENCLAW_GATEWAY_TOKEN}
    reconnect: { minMs: 500, maxMs: 30000 }
`;

/** Every action OpenClaw can carry out (main sessions: pause/kill become holds). */
export const capabilities: readonly ActionName[] = CAPABILITIES;

/** Builds an unconnected source; `start()` loads the gateway client and connects. */
export function create(sourceName: string, options: OpenClawOptions, context: SourceContext): Source {
  return new DeferredSource(sourceName, name, new Set(capabilities), async () => {
    const { OpenClawSource } = await import('./source.js');
    return new OpenClawSource(sourceName, options, context);
  });
}

/** The OpenClaw source module, as listed in the source registry. */
export const openclawSourceModule: SourceModule<OpenClawOptions> = { name, description, schema, example, capabilities, create };
