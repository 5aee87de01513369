import type { WardenUpdate } from '../view.js';
import { queryParams } from '../params.js';
import type { Route } from '../route.js';

/**
 * A client this far behind is dropped rather than buffered without bound; EventSource reconnects by itself.
 * Events are small (a journal entry is well under 1 KiB), so this is hundreds of events, and at most
 * http.maxEventStreams × this is ever held for slow clients.
 */
const MAX_BUFFERED_BYTES = 256 * 1024;

/** `GET /api/v1/events`: the view's updates as server-sent events (`event: sessions|decision|journal`), with comment heartbeats. */
export const eventRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/v1/events',
    handle({ req, res, url, view, openStream, heartbeatMs, serialize, log }) {
      queryParams(url.searchParams, []);
      let stopped = false;
      let unsubscribe: (() => void) | undefined;
      let heartbeat: NodeJS.Timeout | undefined;
      // `drop` destroys the socket so its unsent bytes are freed now, not whenever a stuck client reads them.
      const stop = (how: 'end' | 'drop' = 'end'): void => {
        if (stopped) return;
        stopped = true;
        clearInterval(heartbeat);
        unsubscribe?.();
        release();
        if (how === 'drop') res.destroy();
        else if (!res.writableEnded) res.end();
      };
      // Taken before anything is held, so a refused client (503) leaves nothing behind.
      const release = openStream(() => stop());
      const write = (text: string): void => {
        if (stopped) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          log.warn({ buffered: res.writableLength }, 'dropping a slow event-stream client');
          stop('drop');
          return;
        }
        res.write(text);
      };
      let id = 0;
      const send = (event: string, data: unknown): void => {
        id += 1;
        write(`id: ${id}\nevent: ${event}\ndata: ${serialize(data)}\n\n`);
      };
      req.once('close', () => stop());
      res.once('close', () => stop());
      res.on('error', () => stop('drop'));
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
      });
      write('retry: 3000\n\n');
      send('hello', { type: 'hello', mode: view.mode(), at: Date.now() });
      unsubscribe = view.subscribe((update: WardenUpdate) => send(update.type, update));
      heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
      // The client may already be gone (it hung up while the request was routed): then nothing must stay subscribed.
      if (res.destroyed || req.socket.destroyed) stop();
      return { streaming: true };
    },
  },
];
