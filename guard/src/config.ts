import { readFileSync } from 'node:fs';
import type { FailMode } from './protocol.js';

/** The guard's settings (`plugins.entries.clawwarden-guard.config` in openclaw.json), as `clawwarden openclaw install-guard` writes them. */
export interface GuardSettings {
  readonly url: string;
  readonly token: string;
  readonly source: string;
  readonly failMode: FailMode;
  readonly reconnect: { readonly minMs: number; readonly maxMs: number };
}

/** Default failMode: open (a watchdog restart must not take the fleet down; known-bad sessions stay blocked anyway). */
export const DEFAULT_FAIL_MODE: FailMode = 'open';
const DEFAULT_RECONNECT = { minMs: 500, maxMs: 30_000 };

/** Checks the plugin config; a sentence saying what is wrong when it cannot be used. */
export function readSettings(raw: Record<string, unknown> | undefined, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): GuardSettings | string {
  const c = raw ?? {};
  const url = c['url'];
  if (typeof url !== 'string' || !/^https?:\/\/[^/]+$/.test(url.replace(/\/+$/, ''))) return `"url" must be the daemon's guard listener like http://127.0.0.1:9465, found ${JSON.stringify(url)}`;
  const source = c['source'];
  if (typeof source !== 'string' || source === '') return `"source" must name this gateway's source in the clawwarden config, found ${JSON.stringify(source)}`;
  let token = c['token'];
  const tokenFile = c['tokenFile'];
  if (token === undefined && typeof tokenFile === 'string') {
    try {
      token = read(tokenFile).replace(/\r?\n$/, '');
    } catch (error) {
      return `cannot read tokenFile ${tokenFile}: ${(error as Error).message}`;
    }
  }
  if (typeof token !== 'string' || token.length < 16) return '"token" (or "tokenFile") must hold the daemon\'s guard.token (at least 16 characters)';
  const failMode = c['failMode'] ?? DEFAULT_FAIL_MODE;
  if (failMode !== 'open' && failMode !== 'closed') return `"failMode" must be open or closed, found ${JSON.stringify(failMode)}`;
  const reconnect = (c['reconnect'] ?? {}) as { minMs?: unknown; maxMs?: unknown };
  const minMs = typeof reconnect.minMs === 'number' && reconnect.minMs >= 50 ? reconnect.minMs : DEFAULT_RECONNECT.minMs;
  const maxMs = typeof reconnect.maxMs === 'number' && reconnect.maxMs >= minMs ? reconnect.maxMs : Math.max(minMs, DEFAULT_RECONNECT.maxMs);
  return { url: url.replace(/\/+$/, ''), token, source, failMode, reconnect: { minMs, maxMs } };
}
