import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Secret } from '../../domain/secret.js';
import { OpenClawError } from './errors.js';

/** Where and how to reach the local gateway, as OpenClaw's own CLI finds it. */
export interface Discovered {
  readonly url: string;
  readonly token?: Secret;
  readonly file: string;
}

/** Removes `//` and `/* *\/` comments outside strings, so JSON5 config parses as YAML flow (unquoted keys, trailing commas). */
export function stripJson5Comments(text: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  return out;
}

const BIND_HOSTS: Record<string, string> = { loopback: '127.0.0.1', localhost: '127.0.0.1', lan: '127.0.0.1', all: '127.0.0.1' };

/**
 * Reads `~/.openclaw/openclaw.json` (JSON5: port, bind, auth token). JSON5 is parsed by the YAML parser after
 * stripping comments: its object syntax is a YAML flow mapping, and it saves a dependency for one small file.
 */
export async function discoverGateway(home: string = homedir(), env: NodeJS.ProcessEnv = process.env): Promise<Discovered> {
  const file = join(env.OPENCLAW_STATE_DIR ?? join(home, '.openclaw'), 'openclaw.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new OpenClawError('DISCOVER_FAILED', `discover: cannot read ${file}: ${(error as Error).message}`);
  }
  let config: { gateway?: { port?: unknown; bind?: unknown; customBindHost?: unknown; auth?: { token?: unknown } } };
  try {
    config = (parse(stripJson5Comments(text)) ?? {}) as typeof config;
  } catch (error) {
    throw new OpenClawError('DISCOVER_FAILED', `discover: ${file} is not valid JSON5: ${(error as Error).message}`);
  }
  const gateway = config.gateway ?? {};
  const port = typeof gateway.port === 'number' ? gateway.port : 18789;
  const bind = typeof gateway.bind === 'string' ? gateway.bind : 'loopback';
  const host = bind === 'custom' && typeof gateway.customBindHost === 'string' ? gateway.customBindHost : (BIND_HOSTS[bind] ?? '127.0.0.1');
  const token = typeof gateway.auth?.token === 'string' && gateway.auth.token.length > 0 ? new Secret(gateway.auth.token, `file:${file}`) : undefined;
  return { url: `ws://${host}:${port}`, file, ...(token && { token }) };
}
