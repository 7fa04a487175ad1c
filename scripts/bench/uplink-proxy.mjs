// A TCP proxy that models a client's upload bandwidth: client → server bytes leave at `mbps`, server →
// client bytes pass as they come. Shared by the conversation benchmarks (provider-codex, the gateway).
import { connect, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * Starts the proxy on 127.0.0.1 (a random port) in front of `target`.
 *
 * @param {URL} target - the server's URL (its host name and port are used)
 * @param {number} mbps - the upload bandwidth in Mbit/s
 * @returns {Promise<{ url: string, close: () => Promise<void> }>} the proxy's base URL and its closer
 */
export async function startUplinkProxy(target, mbps) {
  const bytesPerMs = (mbps * 1_000_000) / 8 / 1000;
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    let sendingUntil = performance.now();
    client.on('data', (data) => {
      // Each chunk leaves once the link has carried the bytes queued before it and this chunk.
      sendingUntil = Math.max(sendingUntil, performance.now()) + data.length / bytesPerMs;
      setTimeout(() => upstream.write(data), Math.max(0, sendingUntil - performance.now()));
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('close', end);
      socket.on('error', end);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
