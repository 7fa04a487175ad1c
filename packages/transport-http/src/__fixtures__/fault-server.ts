import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Handles one request of a {@link FaultServer}; `index` counts requests from 0. */
export type FaultHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  index: number,
) => void | Promise<void>;

/** A tiny HTTP server on 127.0.0.1 that plays scripted faults and counts its sockets. */
export interface FaultServer {
  /** `http://127.0.0.1:<port>/v1/responses`. */
  url: string;
  /** Requests received so far. */
  requestCount(): number;
  /** Sockets currently open on the server side. */
  openConnections(): number;
  /** Sockets accepted since start. */
  totalConnections(): number;
  /** Resolves when the server has received `count` requests. */
  waitForRequests(count: number): Promise<void>;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

/** Starts a {@link FaultServer} on a random port of 127.0.0.1. */
export async function startFaultServer(handler: FaultHandler): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  let total = 0;
  let requests = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((request, response) => {
    const index = requests;
    requests += 1;
    for (const waiter of [...waiters]) {
      if (requests >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    request.resume();
    request.once('end', () => {
      Promise.resolve(handler(request, response, index)).catch(() => response.destroy());
    });
  });
  server.on('connection', (socket) => {
    total += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Node keeps a half-closed socket open while a response is pending; a real server drops it.
    socket.once('end', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/responses`,
    requestCount: () => requests,
    openConnections: () => sockets.size,
    totalConnections: () => total,
    waitForRequests: (count) =>
      requests >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One SSE frame carrying `event` as JSON. */
export function sseFrame(event: Record<string, unknown>): string {
  return `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Starts a 200 `text/event-stream` answer. */
export function startEventStream(response: ServerResponse, headers: Record<string, string> = {}): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_fault', ...headers });
  response.flushHeaders();
}

/** A complete short answer: created, one delta, completed. */
export function completeAnswer(text = 'ok'): string {
  return [
    sseFrame({ type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } }),
    sseFrame({
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: text,
    }),
    sseFrame({ type: 'response.completed', response: { id: 'resp_1', status: 'completed' } }),
  ].join('');
}

/** Answers with a JSON error body. */
export function sendJsonError(
  response: ServerResponse,
  status: number,
  error: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  response.end(body);
}

/** Returns a port on 127.0.0.1 with nothing listening (connections are refused). */
export async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Collects every event of an async iterable. */
export async function collectEvents<T>(events: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

/** A `sleep` that returns at once and records the requested delays. */
export function recordingSleep(): { sleep: (milliseconds: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: (milliseconds) => {
      delays.push(milliseconds);
      return Promise.resolve();
    },
  };
}

/** Counts the process's active handles of one kind (`Timeout`, `TCPSocketWrap`…). */
export function countActiveResources(kind: string): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === kind).length;
}

/**
 * Polls `count()` until it is at most `limit` (or `timeoutMs` passes). Unlike `vi.waitFor`, no
 * timer of the poller is active while `count()` runs, so it can count the process's `Timeout`s.
 */
export async function waitForAtMost(count: () => number, limit: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = count();
    if (current <= limit) return;
    if (Date.now() > deadline) {
      throw new Error(
        `expected at most ${limit}, still ${current}: ${process.getActiveResourcesInfo().join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
