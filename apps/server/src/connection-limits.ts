import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Socket } from 'node:net';
import type { OpenAiErrorBody } from './openai-error.js';

/** How long a client may take to send a request's headers (default 10 s); then 408. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** How long a client may take to send a whole request, headers and body (default 60 s); then 408. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** How long an idle keep-alive connection stays open (default 5 s). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** The most connections open at once (default 1,000); a connection beyond it gets 503 and is closed. */
export const DEFAULT_MAX_CONNECTIONS = 1_000;
/** How often the HTTP server checks the header and request timeouts. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** How long a refused connection may stay half-closed before it is cut. */
const REFUSED_SOCKET_LINGER_MS = 1_000;

/** The limits a listening gateway puts on its clients' connections. */
export interface ConnectionLimits {
  /** Time to receive a request's headers, ms. */
  headersTimeoutMs: number;
  /** Time to receive a whole request (headers and body), ms; a streaming answer is never cut by it. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open, ms. */
  keepAliveTimeoutMs: number;
  /** The most connections open at once. */
  maxConnections: number;
}

/** A complete HTTP/1.1 answer with an OpenAI-shaped error body, written straight to a socket. */
function rawErrorResponse(status: number, code: string, message: string): string {
  const body: OpenAiErrorBody = {
    error: {
      message,
      type: status === 408 ? 'timeout_error' : status >= 500 ? 'server_error' : 'invalid_request_error',
      param: null,
      code,
    },
  };
  const text = JSON.stringify(body);
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(text)}`,
    '',
    text,
  ].join('\r\n');
}

const TOO_MANY_CONNECTIONS = rawErrorResponse(
  503,
  'too_many_connections',
  'The gateway has too many open connections. Retry in a moment, or raise --max-connections.',
);

/** The answer to a client whose request could not be read (Node's `clientError`). */
function clientErrorResponse(error: NodeJS.ErrnoException): string {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return rawErrorResponse(
      408,
      'request_timeout',
      'The request was not received in time. Send the headers and the body without pausing, and retry.',
    );
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return rawErrorResponse(
      431,
      'headers_too_large',
      'The request headers are too large. Send fewer or shorter headers.',
    );
  }
  return rawErrorResponse(400, 'bad_request', 'The request is not valid HTTP/1.1.');
}

/** What {@link createLimitedHttpServer} makes: the `createServer` for `@hono/node-server` and the options it takes. */
export interface LimitedHttpServerFactory {
  /** Node's `createServer`, with the connection cap around the request listener. */
  createServer: typeof createServer;
  /** Options for Node's HTTP server: the header and request timeouts, and which upgrade offers go to `upgrade`. */
  serverOptions: {
    headersTimeout: number;
    requestTimeout: number;
    connectionsCheckingInterval: number;
    shouldUpgradeCallback: (request: IncomingMessage) => boolean;
  };
}

/**
 * Whether a request asks for a WebSocket: only those go to the server's `upgrade` listener. Any other
 * `Upgrade` offer (`h2c`, which `curl --http2` sends on `http://`) is served as a plain HTTP/1.1
 * request, as the offer allows — not answered 404 by the WebSocket endpoint. (Node 24.9 / 22.21 and
 * later; older versions hand every upgrade offer to the listener.)
 */
function isWebSocketUpgrade(request: IncomingMessage): boolean {
  return request.headers.upgrade?.trim().toLowerCase() === 'websocket';
}

/**
 * Builds the HTTP server factory that enforces {@link ConnectionLimits}: the header and request
 * timeouts (Node's own, checked every second, answered with 408), the keep-alive timeout, and the
 * connection cap — a connection beyond it is answered 503 `too_many_connections` at once and closed.
 * A request that was fully received is never timed out: streaming answers run as long as they need.
 *
 * @param limits - timeouts and the connection cap
 */
export function createLimitedHttpServer(limits: ConnectionLimits): LimitedHttpServerFactory {
  const refused = new WeakSet<Socket>();
  const limitedCreateServer = ((
    options: Parameters<typeof createServer>[0],
    listener: (request: IncomingMessage, response: ServerResponse) => void,
  ): Server => {
    const server = createServer(options ?? {}, (request, response) => {
      // The 503 is already written on a refused connection; its request is not served.
      if (!refused.has(request.socket)) listener(request, response);
    });
    server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    let open = 0;
    server.on('connection', (socket: Socket) => {
      if (open >= limits.maxConnections) {
        refused.add(socket);
        socket.end(TOO_MANY_CONNECTIONS);
        socket.setTimeout(REFUSED_SOCKET_LINGER_MS, () => socket.destroy());
        return;
      }
      open += 1;
      socket.once('close', () => {
        open -= 1;
      });
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent === true) {
        socket.destroy();
        return;
      }
      socket.end(clientErrorResponse(error));
    });
    return server;
  }) as typeof createServer;
  return {
    createServer: limitedCreateServer,
    serverOptions: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      shouldUpgradeCallback: isWebSocketUpgrade,
    },
  };
}
