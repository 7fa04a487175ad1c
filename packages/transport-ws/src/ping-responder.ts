import type WebSocket from 'ws';

const OPEN = 1;

/**
 * Most pongs a socket may owe at once: a server that sends pings faster than the pongs can be written
 * (a ping flood, or a proxy gone wrong) would otherwise grow the socket's send buffer without bound.
 */
export const MAX_PENDING_PONGS = 64;

/** The socket error a ping flood raises before the socket is destroyed (see {@link answerPings}). */
export class PingFloodError extends Error {
  override readonly name = 'PingFloodError';
  /** Stable code, like the `WS_ERR_*` codes of `ws`. */
  readonly code = 'PING_FLOOD';
}

/**
 * Answers the server's pings on a socket opened with `autoPong: false` (one pong each, as `ws` would),
 * whatever the `ws` version. When {@link MAX_PENDING_PONGS} pongs are still unwritten, the socket gets
 * a {@link PingFloodError} `error` and is destroyed, so the turn on it fails with `protocol` instead of
 * a bare close (code 1006) that looks retryable.
 */
export function answerPings(socket: WebSocket): void {
  let pending = 0;
  const written = (): void => {
    pending -= 1;
  };
  socket.on('ping', (data: Buffer) => {
    if (socket.readyState !== OPEN) return;
    if (pending >= MAX_PENDING_PONGS) {
      socket.emit(
        'error',
        new PingFloodError(
          `the server sent pings faster than they could be answered (${MAX_PENDING_PONGS} pongs pending)`,
        ),
      );
      socket.terminate();
      return;
    }
    pending += 1;
    socket.pong(data, true, written);
  });
}
