import type { WardenUpdate } from '../../daemon/view.js';
import { queryParams } from '../params.js';
import type { Route } from '../route.js';

/** A client this far behind is dropped rather than buffered without bound; EventSource reconnects by itself. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** `GET /api/v1/events`: the view's updates as server-sent events (`event: sessions|decision|journal`), with comment heartbeats. */
export const eventRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/v1/events',
    handle({ req, res, url, view, onClose, heartbeatMs, serialize, log }) {
      queryParams(url.searchParams, []);
      const mode = view.mode();
      let id = 0;
      let stopped = false;
      const send = (event: string, data: unknown): void => {
        if (stopped) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          log.warn({ buffered: res.writableLength }, 'dropping a slow event-stream client');
          stop();
          return;
        }
        id += 1;
        res.write(`id: ${id}\nevent: ${event}\ndata: ${serialize(data)}\n\n`);
      };
      const unsubscribe = view.subscribe((update: WardenUpdate) => send(update.type, update));
      const heartbeat = setInterval(() => {
        if (!stopped) res.write(': heartbeat\n\n');
      }, heartbeatMs);
      const stop = (): void => {
        if (stopped) return;
        stopped = true;
        clearInterval(heartbeat);
        unsubscribe();
        forget();
        if (!res.writableEnded) res.end();
      };
      const forget = onClose(stop);
      req.on('close', stop);
      res.on('close', stop);
      res.on('error', stop);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 3000\n\n');
      send('hello', { type: 'hello', mode, at: Date.now() });
      return { streaming: true };
    },
  },
];
