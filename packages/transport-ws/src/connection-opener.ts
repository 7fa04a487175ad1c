import { type OpenConnectionOptions, openConnection } from './open-connection.js';
import { ResponsesConnection } from './responses-connection.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

/** What a {@link ConnectionOpener} needs from its transport's settings: the handshake options. */
export type ConnectionOpenerSettings = Omit<OpenConnectionOptions, 'url' | 'headers' | 'signal'>;

/**
 * Opens the sockets of one transport and tracks them until they close, so that closing the transport
 * also aborts handshakes in progress and no socket outlives it.
 */
export interface ConnectionOpener {
  /** Opens a socket (rejects with `transport-closed` once {@link ConnectionOpener.close} was called). */
  open(
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<ResponsesConnection>;
  /** Every socket opened and not closed yet. */
  readonly connections: ReadonlySet<ResponsesConnection>;
  /** True once {@link ConnectionOpener.close} was called. */
  isClosed(): boolean;
  /** Refuses new sockets and aborts the handshakes in progress, resolving once they have settled. */
  close(): Promise<void>;
}

/** The error of a request made after the transport was closed. */
export function transportClosedError(): WebSocketTransportError {
  return new WebSocketTransportError(
    'transport-closed',
    'The WebSocket transport was closed. Create a new transport to send more requests.',
    { fallbackSafe: true, isRetryable: false },
  );
}

/**
 * Creates the opener of one transport.
 *
 * @param settings - the transport's handshake settings
 * @param onConnectionClosed - called once for each socket when it closes (to drop it from the pool)
 */
export function createConnectionOpener(
  settings: ConnectionOpenerSettings,
  onConnectionClosed: (connection: ResponsesConnection) => void,
): ConnectionOpener {
  const connections = new Set<ResponsesConnection>();
  const pendingHandshakes = new Set<Promise<unknown>>();
  const closeController = new AbortController();
  let closed = false;
  let connectionCount = 0;

  const open = async (
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<ResponsesConnection> => {
    if (closed) throw transportClosedError();
    // close() aborts handshakes in progress too, so no socket outlives the transport.
    const handshakeSignal =
      signal === undefined ? closeController.signal : AbortSignal.any([signal, closeController.signal]);
    const { WebSocket, connectTimeoutMs, scheduler, now, perMessageDeflate, maxPayloadBytes } = settings;
    const pending = openConnection({
      ...{ url, headers, WebSocket, connectTimeoutMs, scheduler, now, perMessageDeflate, maxPayloadBytes },
      signal: handshakeSignal,
    });
    pendingHandshakes.add(pending);
    let opened: Awaited<typeof pending>;
    try {
      opened = await pending;
    } catch (error) {
      if (closed && signal?.aborted !== true) throw transportClosedError();
      throw error;
    } finally {
      pendingHandshakes.delete(pending);
    }
    connectionCount += 1;
    const connection = new ResponsesConnection(
      `wsc_${connectionCount}`,
      opened.socket,
      opened.handshake,
      settings.now(),
      settings.scheduler,
      opened.takeEarlyEvents(),
    );
    connections.add(connection);
    connection.onClosed(() => {
      connections.delete(connection);
      onConnectionClosed(connection);
    });
    if (closed) {
      await connection.terminate();
      throw transportClosedError();
    }
    return connection;
  };

  return {
    open,
    connections,
    isClosed: () => closed,
    async close() {
      closed = true;
      closeController.abort(new Error('The WebSocket transport was closed.'));
      await Promise.allSettled([...pendingHandshakes]);
    },
  };
}
