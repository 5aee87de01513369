import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../../src/domain/secret.js';
import { createHttpServer, type HttpServerOptions, type HttpServerStats } from '../../src/http/server.js';
import { FixtureView, memoryLog } from './fixture-view.js';

export const TOKEN = 'tok-SECRET-9f3a71c2';

/** A server on 127.0.0.1 port 0 over a FixtureView; `close` stops it. */
export async function startFixtureServer(over: Partial<HttpServerOptions> & { noToken?: boolean } = {}): Promise<{
  base: string;
  view: FixtureView;
  log: ReturnType<typeof memoryLog>;
  port: number;
  stats: () => Promise<HttpServerStats>;
  close: () => Promise<void>;
}> {
  const view = (over.view as FixtureView | undefined) ?? new FixtureView();
  const log = memoryLog();
  const server = createHttpServer({
    view,
    metrics: { render: async () => 'clawwarden_source_up{source="demo"} 1\n', contentType: 'text/plain; version=0.0.4; charset=utf-8' },
    listen: '127.0.0.1:0',
    corsOrigins: [],
    log,
    ...(over.noToken ? {} : { token: new Secret(TOKEN, 'env:CLAWWARDEN_API_TOKEN') }),
    ...over,
  });
  const { port } = await server.listen();
  return { base: `http://127.0.0.1:${port}`, view, log, port, stats: () => server.stats(), close: () => server.close() };
}

/** A temp dir removed by the returned function. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'clawwarden-http-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
