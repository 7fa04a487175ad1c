import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

/** Tracks the sockets an undici connector is still connecting, so they can be destroyed early. */
export interface ConnectingSocketTracker {
  /** Wraps `connector` so that each socket is tracked from the connect call until its callback runs. */
  track(connector: buildConnector.connector): buildConnector.connector;
  /** Destroys every socket still connecting (TCP or TLS handshake) and forgets them. */
  dropAll(): void;
}

/**
 * Creates a {@link ConnectingSocketTracker}. undici keeps connecting after the request that asked
 * for the socket is aborted, even through `Agent.destroy()`; the transport drops those sockets once
 * no request is waiting for a connection any more.
 */
export function createConnectingSocketTracker(): ConnectingSocketTracker {
  const connectingSockets = new Set<Socket>();
  return {
    track(connector) {
      return (connectOptions, callback) => {
        let settled = false;
        const socket = (connector as unknown as (...args: unknown[]) => Socket | undefined)(
          connectOptions,
          (...args: Parameters<buildConnector.Callback>) => {
            settled = true;
            if (socket !== undefined) connectingSockets.delete(socket);
            callback(...args);
          },
        );
        if (socket !== undefined && !settled) connectingSockets.add(socket);
      };
    },
    dropAll() {
      for (const socket of connectingSockets) {
        // With an error, so undici's connect callback runs and the pool forgets the socket.
        socket.destroy(new Error('No request is waiting for this connection any more.'));
      }
      connectingSockets.clear();
    },
  };
}
