import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';

/** Answers one upgrade request of a {@link RawUpgradeServer} by writing raw bytes to its socket. */
export type RawUpgradeHandler = (socket: Socket, upgrade: { key: string; head: string }) => void;

/** A TCP server on 127.0.0.1 that reads each upgrade request and lets the test write any bytes back. */
export interface RawUpgradeServer {
  /** `http://127.0.0.1:<port>/responses` (the transport converts it to ws:). */
  url: string;
  /** Connections the server holds open right now (a transport that leaks sockets leaves some). */
  openSockets(): number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a {@link RawUpgradeServer}: once an upgrade request's head has arrived, `handler` gets the
 * socket, the `Sec-WebSocket-Key` and the request head (so it can echo a header back). Later bytes
 * from the client (frames) are ignored unless the handler listens for them.
 */
export async function startRawUpgradeServer(handler: RawUpgradeHandler): Promise<RawUpgradeServer> {
  const sockets = new Set<Socket>();
  let acceptedCount = 0;
  const server = createServer((socket) => {
    acceptedCount += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('latin1');
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      socket.off('data', onData);
      const head = received.slice(0, headEnd);
      const key = /\r\nsec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? '';
      handler(socket, { key, head });
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/responses`,
    openSockets: () => sockets.size,
    accepted: () => acceptedCount,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A valid `101 Switching Protocols` answer to the upgrade request with `key`. */
export function switchingProtocols(key: string): string {
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`;
}

/** One unmasked server text frame carrying `event` as JSON (payloads under 64 KiB). */
export function textFrame(event: Record<string, unknown>): Buffer {
  const payload = Buffer.from(JSON.stringify(event));
  const header =
    payload.length < 126
      ? Buffer.from([0x81, payload.length])
      : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** The request head's `authorization` line, to echo back the way a broken proxy might. */
export function authorizationLineOf(head: string): string {
  return head.split('\r\n').find((line) => /^authorization:/i.test(line)) ?? '';
}
