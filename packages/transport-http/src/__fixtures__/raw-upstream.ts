import { createServer, type Socket } from 'node:net';

/** Answers one request of a {@link RawUpstream} by writing raw bytes to its socket. */
export type RawRequestHandler = (socket: Socket, requestHead: string) => void;

/** A TCP server on 127.0.0.1 that reads each HTTP request and lets the test write any bytes back. */
export interface RawUpstream {
  /** `http://127.0.0.1:<port>/v1/responses`. */
  url: string;
  /** Requests received so far. */
  requestCount(): number;
  /** Sockets accepted so far. */
  connectionCount(): number;
  /** Sockets open on the server side now. */
  openConnections(): number;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a {@link RawUpstream}: once a request's head and `content-length` body have arrived,
 * `handler` gets the socket and the request head (so it can echo a header back, malformed).
 */
export async function startRawUpstream(handler: RawRequestHandler): Promise<RawUpstream> {
  const sockets = new Set<Socket>();
  let requests = 0;
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const bodyLength = Number(/\r\ncontent-length: *(\d+)/i.exec(received)?.[1] ?? '0');
      if (received.length < headEnd + 4 + bodyLength) return;
      const head = received.slice(0, headEnd);
      received = received.slice(headEnd + 4 + bodyLength);
      requests += 1;
      handler(socket, head);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1/responses`,
    requestCount: () => requests,
    connectionCount: () => connections,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The request head's `authorization` line, to echo back the way a broken proxy might. */
export function authorizationLineOf(requestHead: string): string {
  return requestHead.split('\r\n').find((line) => /^authorization:/i.test(line)) ?? '';
}
