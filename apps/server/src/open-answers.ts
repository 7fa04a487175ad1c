import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * The HTTP answers a Node server has not finished writing: from a request's arrival until its
 * response is written out or its connection is gone. A handler that returned an answer is no longer
 * in flight for the gateway, but its answer may still be on its way to the socket; graceful shutdown
 * waits for it before it closes the connections.
 */
export interface OpenAnswers {
  /** Resolves once no answer is open. */
  waitForNone(): Promise<void>;
}

/**
 * Counts the open answers of `server` (WebSocket upgrades are not requests and are not counted).
 *
 * @param server - the Node HTTP server
 */
export function trackOpenAnswers(server: Server): OpenAnswers {
  let open = 0;
  let waiters: (() => void)[] = [];
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    open += 1;
    // `close` follows `finish` once written, and comes alone when the connection is cut first.
    response.once('close', () => {
      open -= 1;
      if (open > 0) return;
      const waiting = waiters;
      waiters = [];
      for (const resolve of waiting) resolve();
    });
  });
  return {
    waitForNone() {
      if (open === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
