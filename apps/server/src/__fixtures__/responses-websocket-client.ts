import WebSocket from 'ws';
import { type GatewayHarness, TEST_SERVER_KEY } from './gateway-harness.js';

/** An event the gateway's WebSocket mode sent. */
export type WebSocketEvent = { type: string } & Record<string, unknown>;

const FINAL_EVENT_TYPES: readonly string[] = [
  'response.completed',
  'response.failed',
  'response.incomplete',
  'error',
];

/**
 * Opens a WebSocket to the gateway's `/v1/responses` with `key`; rejects with the status of a refused
 * upgrade.
 *
 * @param harness - the gateway under test
 * @param key - the key sent as `Authorization: Bearer …`
 * @param headers - more upgrade headers (`origin`, `host`, `originator`…)
 * @param options - `ws` client options (`autoPong: false` for a peer that never answers pings)
 */
export function openResponsesSocket(
  harness: GatewayHarness,
  key = TEST_SERVER_KEY,
  headers: Record<string, string> = {},
  options: WebSocket.ClientOptions = {},
): Promise<WebSocket> {
  const url = `${harness.gateway.url.replace('http', 'ws')}/v1/responses`;
  const socket = new WebSocket(url, { ...options, headers: { authorization: `Bearer ${key}`, ...headers } });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

/**
 * Sends one frame (a response.create's JSON text) and collects the events until the final one
 * (`response.completed`, `.failed`, `.incomplete` or `error`).
 */
export function sendFrame(socket: WebSocket, frame: string): Promise<WebSocketEvent[]> {
  const events: WebSocketEvent[] = [];
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const event = JSON.parse(String(data)) as WebSocketEvent;
      events.push(event);
      if (FINAL_EVENT_TYPES.includes(event.type)) {
        socket.off('message', onMessage);
        resolve(events);
      }
    };
    socket.on('message', onMessage);
    socket.send(frame);
  });
}

/** Sends one `response.create` with `body` and collects its events until the final one. */
export function createResponse(socket: WebSocket, body: Record<string, unknown>): Promise<WebSocketEvent[]> {
  return sendFrame(socket, JSON.stringify({ type: 'response.create', ...body }));
}

/** Resolves to the code the socket closes with. */
export function closeCode(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

/** The gateway's request-log lines of the WebSocket mode (upgrades and `response.create`s), oldest first. */
export function webSocketRequestLog(harness: GatewayHarness): Record<string, unknown>[] {
  return harness.logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg !== undefined && line.transport === 'websocket');
}
