import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { OAuthError } from './errors.js';

/** A started loopback server that receives the browser's login callback. */
export interface LoopbackCallbackServer {
  /** The port it listens on (the chosen one when 0 was asked for). */
  readonly port: number;
  /** Sets the handler of every request that reaches the server (call once). */
  onRequest(handler: (request: IncomingMessage, response: ServerResponse) => void): void;
  /** Stops listening and drops every connection; resolves once closed. */
  close(): Promise<void>;
}

function portInUseMessage(host: string, port: number): string {
  return [
    `Port ${port} on ${host} is already in use, so CodeTether cannot receive the login callback (another login, or the Codex CLI, may be running).`,
    'Close the other program and try again, or log in another way:',
    '  codetether auth login --device-code    (enter a code in any browser)',
    '  codetether auth login --no-browser     (paste the final localhost:1455 URL from your browser)',
    '  codetether auth login --port <port>    (only for test/emulator issuers; auth.openai.com accepts only port 1455)',
    `On a remote machine over SSH, forward the port from your computer: ssh -L ${port}:localhost:${port} <host>`,
  ].join('\n');
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new OAuthError('port-in-use', portInUseMessage(host, port), { cause: error }));
      } else {
        reject(
          new OAuthError(
            'callback-server-error',
            `Could not start the login callback server on ${host}:${port} (${error.code ?? error.message}). Try \`codetether auth login --device-code\` instead.`,
            { cause: error },
          ),
        );
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Malformed HTTP (oversized headers, garbage) is answered by Node and never reaches the request handler. */
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  else socket.destroy();
}

/**
 * Starts the loopback callback server on `host:port` (an exclusive bind; short keep-alive). Fails with
 * `port-in-use` (with the ways to log in without that port) or `callback-server-error`.
 *
 * @param host - the loopback address to bind
 * @param port - the port; 0 picks a free one
 */
export async function startLoopbackCallbackServer(
  host: string,
  port: number,
): Promise<LoopbackCallbackServer> {
  // Imported here, not at the top: importing `node:http` as an ES module loads Node's bundled undici
  // (its WebSocket exports), which every program importing this package would otherwise pay for.
  const { createServer } = await import('node:http');
  const server = createServer();
  server.keepAliveTimeout = 1000;
  server.requestTimeout = 30_000;
  const boundPort = await listen(server, port, host);
  server.on('clientError', answerMalformedRequest);
  return {
    port: boundPort,
    onRequest(handler) {
      server.on('request', handler);
    },
    close: () => closeServer(server),
  };
}
