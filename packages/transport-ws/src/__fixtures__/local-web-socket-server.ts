import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** A tiny `ws` server on 127.0.0.1 for cases the emulator does not script. */
export interface LocalWebSocketServer {
  /** `http://127.0.0.1:<port>/responses` (the transport converts it to ws:). */
  url: string;
  /** The server. */
  server: WebSocketServer;
  /** Sockets accepted so far. */
  accepted: number;
  /** Terminates every socket and closes the server. */
  close(): Promise<void>;
}

/**
 * Starts a server that calls `onConnection` for each socket and `onRequest` for each parsed frame.
 *
 * @param onRequest - called with the socket, the parsed `response.create` frame and the socket's index
 */
export async function startLocalWebSocketServer(
  onRequest: (
    socket: WebSocket,
    frame: Record<string, unknown>,
    socketIndex: number,
    request: IncomingMessage,
  ) => void,
): Promise<LocalWebSocketServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const result: LocalWebSocketServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/responses`,
    server,
    accepted: 0,
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', (socket, request) => {
    const index = result.accepted;
    result.accepted += 1;
    socket.on('error', () => socket.terminate());
    socket.on('message', (data) => {
      onRequest(socket, JSON.parse(String(data)) as Record<string, unknown>, index, request);
    });
  });
  return result;
}

/** The events of a minimal completed response. */
export function completedResponseEvents(text: string): Array<Record<string, unknown>> {
  return [
    { type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } },
    { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: text },
    { type: 'response.completed', response: { id: 'resp_1', status: 'completed' } },
  ];
}
