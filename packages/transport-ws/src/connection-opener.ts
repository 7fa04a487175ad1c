import { ConnectionSlots } from './connection-slots.js';
import { type OpenConnectionOptions, openConnection } from './open-connection.js';
import { ResponsesConnection } from './responses-connection.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

/** What a {@link ConnectionOpener} needs from its transport's settings: the handshake options and the socket limit. */
export interface ConnectionOpenerSettings extends Omit<OpenConnectionOptions, 'url' | 'headers' | 'signal'> {
  /** Most sockets open or opening at once (closing ones do not count). */
  maxConnections: number;
}

/** How a {@link ConnectionOpener} tells its transport about its sockets. */
export interface ConnectionOpenerHooks {
  /** Called once for each socket when it closes (to drop it from the pool). */
  onConnectionClosed(connection: ResponsesConnection): void;
  /**
   * Called when a new socket would exceed `maxConnections`: closes an idle socket to make room and
   * answers true, or answers false when none is idle (every socket is busy).
   */
  closeAnIdleConnection(): boolean;
}

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
  /** Sockets counted against `maxConnections`: handshakes in progress and open sockets not closing. */
  countedConnections(): number;
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

/** The error of a request that needs a new socket while `maxConnections` sockets are all busy. */
export function tooManyConnectionsError(maxConnections: number): WebSocketTransportError {
  return new WebSocketTransportError(
    'too-many-connections',
    `The WebSocket transport already has ${maxConnections} sockets open (maxConnections), all carrying other responses, so this request was not sent. Send it over HTTP, try again once a response ends, or raise maxConnections.`,
    { fallbackSafe: true, isRetryable: true },
  );
}

/**
 * Creates the opener of one transport. A socket takes one of `maxConnections` places before its
 * handshake starts and gives it back once: when the handshake fails, or when the socket starts
 * closing (or closes). With every place taken, an idle socket is closed to make room; with none
 * idle, `open` fails at once with `too-many-connections` (nothing queues or waits).
 *
 * @param settings - the transport's handshake settings and socket limit
 * @param hooks - what the opener tells the transport (closed sockets; room needed)
 */
export function createConnectionOpener(
  settings: ConnectionOpenerSettings,
  hooks: ConnectionOpenerHooks,
): ConnectionOpener {
  const connections = new Set<ResponsesConnection>();
  const slots = new ConnectionSlots(settings.maxConnections);
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
    let slot = slots.tryAcquire();
    // An idle socket gives its place to a request that needs one (closing frees it at once).
    while (slot === undefined && hooks.closeAnIdleConnection()) slot = slots.tryAcquire();
    if (slot === undefined) throw tooManyConnectionsError(slots.limit);
    // close() aborts handshakes in progress too, so no socket outlives the transport.
    const handshakeSignal =
      signal === undefined ? closeController.signal : AbortSignal.any([signal, closeController.signal]);
    const { WebSocket, connectTimeoutMs, scheduler, now, perMessageDeflate, maxPayloadBytes } = settings;
    let pending: ReturnType<typeof openConnection>;
    try {
      pending = openConnection({
        ...{ url, headers, WebSocket, connectTimeoutMs, scheduler, now, perMessageDeflate, maxPayloadBytes },
        signal: handshakeSignal,
      });
    } catch (error) {
      slot.release();
      throw error;
    }
    pendingHandshakes.add(pending);
    let opened: Awaited<typeof pending>;
    try {
      opened = await pending;
    } catch (error) {
      slot.release();
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
    connection.onClosing(slot.release);
    connection.onClosed(() => {
      connections.delete(connection);
      hooks.onConnectionClosed(connection);
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
    countedConnections: () => slots.used,
    isClosed: () => closed,
    async close() {
      closed = true;
      closeController.abort(new Error('The WebSocket transport was closed.'));
      await Promise.allSettled([...pendingHandshakes]);
    },
  };
}
