import { createServer } from 'node:net';

/**
 * Binds `host:port` for a moment and lets go, so a taken port is reported before the daemon starts acting (and before
 * a second demo writes into the first one's state directory). Resolves with the bind error, or undefined when free.
 */
export function probeListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  if (port === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** `127.0.0.1:9464` → host and port; `[::1]:9464` → `::1`. */
export function splitListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  return { host: m?.[1] ?? m?.[2] ?? '127.0.0.1', port: Number(m?.[3] ?? 9464) };
}

/** A port the OS just handed out on `host` (bound, then released for a server that takes a port number, not 0). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
