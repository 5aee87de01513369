import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { HttpError } from '../errors.js';
import { queryParams } from '../params.js';
import type { Route } from '../route.js';

/** Third-party browser code the console uses, served from the installed npm package (never a CDN): a fixed list. */
const VENDOR: readonly { readonly path: string; readonly module: string; readonly type: string }[] = [
  { path: '/vendor/uplot.min.js', module: 'uplot/dist/uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  { path: '/vendor/uplot.min.css', module: 'uplot/dist/uPlot.min.css', type: 'text/css; charset=utf-8' },
];

/**
 * `/vendor/…`: the chart library's minified script and style, read from node_modules on the first request (the
 * daemon never loads them at start) and kept for the process's life; the files are versioned by package-lock.
 */
export function vendorRoutes(resolve: (module: string) => string = createRequire(import.meta.url).resolve): readonly Route[] {
  const cache = new Map<string, Promise<Buffer>>();
  return VENDOR.map((asset) => ({
    method: 'GET' as const,
    path: asset.path,
    async handle({ url }) {
      queryParams(url.searchParams, []);
      let load = cache.get(asset.path);
      if (!load) {
        load = (async () => readFile(resolve(asset.module)))();
        cache.set(asset.path, load);
        load.catch(() => cache.delete(asset.path));
      }
      let body: Buffer;
      try {
        body = await load;
      } catch {
        throw new HttpError(500, 'CONSOLE_MISSING', `the console's chart library (${asset.module}) is missing from this installation; reinstall clawwarden`);
      }
      return { status: 200, body, contentType: asset.type, headers: { 'Cache-Control': 'public, max-age=86400' } };
    },
  }));
}
