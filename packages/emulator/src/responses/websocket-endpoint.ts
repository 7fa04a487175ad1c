import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EmulatorContext } from '../context.js';
import { parseRequestTarget } from '../http-utilities.js';
import { createId } from '../ids.js';
import { apiError } from './error-bodies.js';
import { RESPONSES_PATHS, validateCredentials } from './request-validation.js';
import { type FrameRecorder, MAX_FRAME_BYTES, serveConnection } from './websocket-connection.js';

/** The WebSocket side of the Responses endpoints. */
export interface WebSocketEndpoint {
  /** Handles an HTTP upgrade request (any path; non-Responses paths get 404). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Terminates every open socket and stops accepting new ones. */
  closeAll(): void;
  /** Terminates every open socket (clients see 1006) and returns how many there were. */
  dropAll(): number;
  /** Open sockets. */
  openSocketCount(): number;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Creates the WebSocket endpoint: upgrades on `/backend-api/codex/responses` and `/v1/responses` after
 * the same credential checks as HTTP (refusals are plain HTTP responses with the JSON error body). The
 * handshake response carries the `x-codex-*` rate-limit headers (ChatGPT backend). Accepted
 * connections are served by {@link serveConnection}.
 *
 * @param context - emulator state
 * @param recordRefusal - records a refused handshake
 * @param recordFrame - records a `response.create` frame (returns a setter for its scenario)
 */
export function createWebSocketEndpoint(
  context: EmulatorContext,
  recordRefusal: (request: IncomingMessage) => void,
  recordFrame: FrameRecorder,
): WebSocketEndpoint {
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
  });
  const handshakeHeaders = new WeakMap<IncomingMessage, Record<string, string>>();
  server.on('headers', (headers, request) => {
    for (const [name, value] of Object.entries(handshakeHeaders.get(request) ?? {}))
      headers.push(`${name}: ${value}`);
  });

  const refuse = (socket: Duplex, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    const lines = [
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
      'Connection: close',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(text)}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
  };

  return {
    openSocketCount: () => server.clients.size,
    handleUpgrade(request, socket, head) {
      socket.on('error', () => socket.destroy());
      const target = parseRequestTarget(request.url);
      if (target === undefined) {
        recordRefusal(request);
        refuse(
          socket,
          400,
          apiError('The request target is not a valid URL.', 'invalid_request_error', 'invalid_url'),
        );
        return;
      }
      const path = target.pathname;
      const backend = RESPONSES_PATHS[path];
      if (backend === undefined) {
        recordRefusal(request);
        refuse(
          socket,
          404,
          apiError(`No WebSocket endpoint at ${path}.`, 'invalid_request_error', 'not_found'),
        );
        return;
      }
      const websocket = context.options().websocket ?? true;
      if (websocket === false || (typeof websocket === 'object' && websocket.handshakeStatus !== undefined)) {
        recordRefusal(request);
        const status = websocket === false ? 426 : (websocket.handshakeStatus ?? 426);
        refuse(
          socket,
          status,
          apiError(
            'WebSocket transport is not available for this endpoint; use HTTP.',
            'invalid_request_error',
            null,
          ),
        );
        return;
      }
      const failure = validateCredentials(context, backend, request.headers);
      if (failure !== undefined) {
        recordRefusal(request);
        refuse(socket, failure.status, failure.body);
        return;
      }
      handshakeHeaders.set(request, {
        'x-request-id': createId('req', 16),
        ...(backend === 'chatgpt' ? context.rateLimits.currentHeaders() : {}),
      });
      server.handleUpgrade(request, socket, head, (connection) => {
        serveConnection(context, backend, request, connection, recordFrame);
      });
    },
    closeAll() {
      for (const client of server.clients) client.terminate();
      server.close();
    },
    dropAll() {
      const count = server.clients.size;
      for (const client of server.clients) client.terminate();
      return count;
    },
  };
}
