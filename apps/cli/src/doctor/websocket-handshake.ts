import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The outcome of a WebSocket handshake: accepted (101), refused with a status, or not reached. */
export type HandshakeOutcome =
  | { accepted: true; elapsedMs: number }
  | { accepted: false; status: number; elapsedMs: number }
  | { accepted: false; error: string; elapsedMs: number };

/**
 * Opens a WebSocket handshake (`GET` with `Upgrade: websocket`) and closes the connection as soon as
 * the server answers: nothing is sent over the socket, so no request is made and nothing is billed.
 *
 * @param url - the `http(s)://…/responses` URL (the handshake uses the same scheme as `ws(s)://`)
 * @param headers - the request headers (auth, beta header…)
 * @param timeoutMs - how long the server may take to answer
 */
export function openWebSocketHandshake(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<HandshakeOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = send(url, {
      method: 'GET',
      headers: {
        ...headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      },
      timeout: timeoutMs,
    });
    request.once('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ accepted: true, elapsedMs: elapsed() });
    });
    request.once('response', (response) => {
      response.resume();
      request.destroy();
      resolve({ accepted: false, status: response.statusCode ?? 0, elapsedMs: elapsed() });
    });
    request.once('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    request.once('error', (error: NodeJS.ErrnoException) => {
      resolve({ accepted: false, error: error.code ?? error.message, elapsedMs: elapsed() });
    });
    request.end();
  });
}
