import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, formatConfigError } from '../../config/index.js';
import { Secret, type SecretValue } from '../../domain/secret.js';
import { OpenClawSource, discoverGateway, type OpenClawOptions } from '../../sources/openclaw/index.js';
import type { SourceContext } from '../../sources/source.js';
import { DirectControl } from './direct.js';
import type { SessionControl } from './control.js';

/** Connection flags shared by every `sessions` subcommand. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly token?: string;
  readonly config?: string;
  readonly discover?: boolean;
}

/** Why the command cannot connect; printed as is, exit 1. */
export class ConnectError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const quiet: SourceContext['log'] = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** The gateway options from flags, env, the local gateway's config and (with --config) the config's first openclaw source; flags win. */
export async function gatewayOptions(flags: ConnectionFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<OpenClawOptions> {
  let fromConfig: OpenClawOptions = {};
  if (flags.config !== undefined) {
    const loaded = loadConfig({ file: flags.config, cwd, env });
    if (!loaded.config) throw new ConnectError('CONFIG', loaded.errors.map(formatConfigError).join('\n'));
    const source = loaded.config.sources.find((s) => s.type === 'openclaw');
    if (!source) throw new ConnectError('CONFIG', `${flags.config}: no source of type openclaw`);
    fromConfig = source.options;
  }
  const home = env.HOME ?? '';
  // Like the openclaw CLI: without a URL, read the local gateway's own config when there is one.
  const localConfig = home !== '' && existsSync(join(env.OPENCLAW_STATE_DIR ?? join(home, '.openclaw'), 'openclaw.json'));
  const discover = flags.discover ?? fromConfig.discover ?? (flags.url === undefined && fromConfig.url === undefined && localConfig);
  let discovered: { url?: string; token?: Secret } = {};
  if (discover) {
    try {
      discovered = await discoverGateway(home, env);
    } catch (error) {
      throw new ConnectError('DISCOVER_FAILED', (error as Error).message);
    }
  }
  const envToken = env.OPENCLAW_GATEWAY_TOKEN ? new Secret(env.OPENCLAW_GATEWAY_TOKEN, 'env:OPENCLAW_GATEWAY_TOKEN') : undefined;
  const token: SecretValue | undefined = flags.token !== undefined ? new Secret(flags.token, 'flag:--token') : (fromConfig.token ?? envToken ?? discovered.token);
  const url = flags.url ?? fromConfig.url ?? discovered.url;
  return {
    ...fromConfig,
    discover: false,
    ...(url !== undefined && { url }),
    ...(token !== undefined && { token }),
    // A one-shot command retries nothing: it reports the error and exits.
    reconnect: { minMs: 60_000, maxMs: 60_000 },
    // The gateway's usage cache can take several seconds to refresh; a listing is worth the wait.
    usageWaitMs: fromConfig.usageWaitMs ?? 8_000,
  };
}

/** Connects straight to the gateway; rejects with a clear ConnectError when it cannot. */
export async function connectDirect(flags: ConnectionFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<SessionControl> {
  const options = await gatewayOptions(flags, env, cwd);
  let lastDown = '';
  const source = new OpenClawSource('openclaw', options, { now: Date.now, log: quiet });
  const off = source.subscribe((e) => {
    if (e.type === 'down') lastDown = e.error;
  });
  try {
    await source.start();
  } catch (error) {
    throw new ConnectError((error as { code?: string }).code ?? 'CONNECT', (error as Error).message);
  } finally {
    off();
  }
  if (!source.isUp()) {
    await source.close();
    throw new ConnectError('GATEWAY_UNREACHABLE', lastDown || `cannot reach the OpenClaw gateway at ${source.url}`);
  }
  return new DirectControl(source);
}
