import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from '../errors.js';
import { queryParams } from '../params.js';
import type { Route } from '../route.js';

/** The console folder shipped in the package (`console/` beside `src/` and `dist/`). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

const ASSETS: readonly { readonly path: string; readonly file: string; readonly type: string }[] = [
  { path: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { path: '/alerts.js', file: 'alerts.js', type: 'text/javascript; charset=utf-8' },
  { path: '/board.js', file: 'board.js', type: 'text/javascript; charset=utf-8' },
  { path: '/cards.js', file: 'cards.js', type: 'text/javascript; charset=utf-8' },
  { path: '/chart.js', file: 'chart.js', type: 'text/javascript; charset=utf-8' },
  { path: '/cleanup.js', file: 'cleanup.js', type: 'text/javascript; charset=utf-8' },
  { path: '/detail.js', file: 'detail.js', type: 'text/javascript; charset=utf-8' },
  { path: '/dialogs.js', file: 'dialogs.js', type: 'text/javascript; charset=utf-8' },
  { path: '/format.js', file: 'format.js', type: 'text/javascript; charset=utf-8' },
  { path: '/overview.js', file: 'overview.js', type: 'text/javascript; charset=utf-8' },
  { path: '/tabs.js', file: 'tabs.js', type: 'text/javascript; charset=utf-8' },
  { path: '/app.css', file: 'app.css', type: 'text/css; charset=utf-8' },
  { path: '/favicon.svg', file: 'favicon.svg', type: 'image/svg+xml' },
];

/** The web console's static files; a fixed list, so no request can name a path on disk. */
export function consoleRoutes(dir: string = DEFAULT_CONSOLE_DIR): readonly Route[] {
  return ASSETS.map((asset) => ({
    method: 'GET' as const,
    path: asset.path,
    async handle({ url }) {
      // The console keeps its own state in the page; a query string here is harmless but still has to be one we know.
      queryParams(url.searchParams, []);
      let body: Buffer;
      try {
        body = await readFile(join(dir, asset.file));
      } catch {
        throw new HttpError(500, 'CONSOLE_MISSING', `the console file ${asset.file} is missing from this installation`);
      }
      return { status: 200, body, contentType: asset.type, headers: { 'Cache-Control': 'no-cache' } };
    },
  }));
}
