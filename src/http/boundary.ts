import { HttpError } from './errors.js';

/** Headers on every response: the console runs only its own script and style, and nothing may frame or sniff it. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:0` → host and port. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new HttpError(500, 'BAD_LISTEN', `http.listen must be host:port (e.g. 127.0.0.1:9464 or [::1]:9464), got "${listen}"`);
  return { host: (m[1] ?? m[2])!, port };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * On a loopback listener only loopback Host names are served, so a web page that rebinds its own DNS name
 * to 127.0.0.1 cannot read the API from the operator's browser. Other listeners accept any Host.
 */
export function hostAllowed(listenHost: string, hostHeader: string | undefined): boolean {
  if (!LOOPBACK_HOSTS.has(listenHost) && !LOOPBACK_V4.test(listenHost)) return true;
  if (hostHeader === undefined) return false;
  const name = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!;
  return LOOPBACK_HOSTS.has(name.toLowerCase()) || LOOPBACK_V4.test(name);
}

/** CORS headers for an allowed origin (exact match against `http.corsOrigins`); none otherwise, so browsers block the read. */
export function corsHeaders(allowedOrigins: readonly string[], origin: string | undefined, methods: readonly string[]): Record<string, string> {
  if (origin === undefined || !allowedOrigins.includes(origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(', '),
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
  };
}
