import { randomBytes } from 'node:crypto';
import { Secret } from '../../domain/secret.js';
import type { Config } from '../../config/types.js';
import type { RunArgs } from './args.js';

/** Where the API token of a run comes from: told to the operator at start, never logged. */
export type TokenOrigin = 'flag' | 'env' | 'generated' | 'config' | 'none';

/** The API token a run serves writes with, and where it came from. */
export interface RunToken {
  readonly origin: TokenOrigin;
  readonly secret?: Secret;
}

/**
 * The API token of a run: `--api-token`, else (with `--demo`) `CLAWWARDEN_API_TOKEN`, else for the demo a random one
 * made now, so the console's buttons work out of the box; a real config keeps its `http.token`.
 */
export function runToken(args: RunArgs, config: Config, env: NodeJS.ProcessEnv, random: () => string = () => randomBytes(24).toString('base64url')): RunToken {
  if (args.apiToken !== undefined) return { origin: 'flag', secret: new Secret(args.apiToken, 'flag:--api-token') };
  if (args.demo) {
    const fromEnv = env['CLAWWARDEN_API_TOKEN']?.trim();
    if (fromEnv) return { origin: 'env', secret: new Secret(fromEnv, 'env:CLAWWARDEN_API_TOKEN') };
    return { origin: 'generated', secret: new Secret(random(), 'generated') };
  }
  return config.http.token ? { origin: 'config', secret: config.http.token } : { origin: 'none' };
}

/** The config a run starts with: its flags (`--state-dir`, `--listen`, the token) over the loaded file, and the demo's storyline on. */
export function withRunOverrides(config: Config, args: RunArgs, token: RunToken): Config {
  const { token: _previous, ...http } = config.http;
  return {
    ...config,
    ...(args.stateDir !== undefined ? { stateDir: args.stateDir } : {}),
    http: { ...http, ...(args.listen !== undefined ? { listen: args.listen } : {}), ...(token.secret ? { token: token.secret } : {}) },
    sources: args.demo
      ? config.sources.map((s) => (s.type === 'demo' ? { ...s, options: { ...s.options, story: true, ...(args.speed !== undefined ? { speed: args.speed } : {}) } } : s))
      : config.sources,
  };
}
