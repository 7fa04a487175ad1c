import type { WebSocket } from 'ws';

/**
 * How long a client has to answer the gateway's close frame before its connection is cut: `ws` would
 * wait 30 s, during which a client that never answers (and keeps its TCP connection open) holds a
 * socket and a connection slot.
 */
export const CLOSE_HANDSHAKE_GRACE_MS = 1_000;

/**
 * Closes `socket` with `code` and `reason` (the close handshake), and cuts the connection once
 * {@link CLOSE_HANDSHAKE_GRACE_MS} have passed without the client answering: a client that sent a
 * frame the gateway refuses and then holds its connection open is gone after a second, not after
 * `ws`'s 30-second close timeout.
 *
 * @param socket - the socket to close
 * @param code - the close code
 * @param reason - the close reason (at most 123 bytes)
 */
export function closeWithinGrace(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === socket.CLOSED) return;
  socket.close(code, reason);
  const timer = setTimeout(() => socket.terminate(), CLOSE_HANDSHAKE_GRACE_MS);
  // Neither the timer nor the socket keeps the other alive once the client answered.
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
