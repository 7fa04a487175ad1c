import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of the emulator that counts open upstream connections. */
export interface CountingProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Connections open right now. */
  readonly openConnections: number;
  /** Connections accepted so far. */
  readonly totalConnections: number;
  /** Resolves when at least `count` connections were accepted. */
  waitForConnections(count: number): Promise<void>;
  /** Closes the proxy and every connection. */
  close(): Promise<void>;
}

/** Starts a TCP proxy to `127.0.0.1:targetPort`. */
export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  let total = 0;
  let waiters: (() => void)[] = [];
  const notify = (): void => {
    const pending = waiters;
    waiters = [];
    for (const waiter of pending) waiter();
  };
  const server: Server = createServer((client) => {
    total += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
    client.on('close', () => {
      upstream.destroy();
      sockets.delete(client);
      notify();
    });
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    notify();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  const until = (condition: () => boolean): Promise<void> =>
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (condition()) resolve();
        else waiters.push(check);
      };
      check();
    });
  return {
    url: `http://127.0.0.1:${address.port}`,
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get openConnections() {
      return sockets.size;
    },
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get totalConnections() {
      return total;
    },
    waitForConnections: (count) => until(() => total >= count),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
