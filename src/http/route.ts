import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Secret } from '../domain/secret.js';
import type { WardenView } from './view.js';
import { badRequest } from './errors.js';

/** The scoped logger the HTTP layer writes to (pino-compatible). */
export interface HttpLog {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
  debug(o: object, msg?: string): void;
}

/** What a route handler gets: the request, its parsed URL and path parameters, and the daemon's view. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly view: WardenView;
  readonly metrics: { render(): Promise<string>; readonly contentType: string };
  readonly token: Secret | undefined;
  readonly log: HttpLog;
  /** Takes an event-stream slot whose `stop` runs when the server closes; returns the function that frees it. Throws a 503 HttpError past http.maxEventStreams. */
  readonly openStream: (stop: () => void) => () => void;
  readonly heartbeatMs: number;
  /** JSON text of a value with every secret the server knows scrubbed out. */
  readonly serialize: (value: unknown) => string;
}

/** A handler's answer: JSON, raw bytes with a type, or `streaming` when it wrote the response itself (SSE). */
export type Reply =
  | { readonly status: number; readonly json: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly status: number; readonly body: string | Buffer; readonly contentType: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly streaming: true };

/** One entry of the route table. `write` routes need the bearer token. */
export interface Route {
  readonly method: 'GET' | 'POST';
  /** `/api/v1/sessions/:key/:action`; `:name` captures one URL-decoded segment. */
  readonly path: string;
  readonly write?: boolean;
  handle(ctx: RouteContext): Promise<Reply> | Reply;
}

/** Path parameters when `path` (a raw, still-encoded pathname) fits `pattern`, else undefined; malformed escapes are a 400. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        throw badRequest(`path segment "${g}" is not valid URL encoding`);
      }
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}
