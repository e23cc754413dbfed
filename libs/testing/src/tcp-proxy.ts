import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to a server (e.g. RabbitMQ) that a test can cut like a network partition: while paused,
 * bytes in both directions are dropped (not held), so a publish sent then never reaches the broker and
 * its confirm never comes back. A client's connection closing closes its upstream one without a flush.
 */
export interface PausableProxy {
  /** host:port to connect to instead of the server's. */
  port: number;
  pause(): void;
  /** Bytes dropped from clients (towards the server) since the last pause. */
  readonly droppedFromClients: number;
  close(): Promise<void>;
}

export async function startPausableProxy(target: { host: string; port: number }): Promise<PausableProxy> {
  let paused = false;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.on('data', (chunk: Buffer) => {
      if (!paused) upstream.write(chunk);
      else dropped += chunk.length;
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!paused) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    pause() {
      paused = true;
      dropped = 0;
    },
    get droppedFromClients() {
      return dropped;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
