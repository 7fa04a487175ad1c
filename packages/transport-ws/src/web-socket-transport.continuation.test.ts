import { afterEach, describe, expect, it } from 'vitest';
import { collectEvents, userTurnBody } from './__fixtures__/emulator-requests.js';
import {
  completedResponseEvents,
  type LocalWebSocketServer,
  startLocalWebSocketServer,
} from './__fixtures__/local-web-socket-server.js';
import { createWebSocketTransport, type WebSocketTransport } from './web-socket-transport.js';

const TIMEOUT = { timeout: 20_000 };

let local: LocalWebSocketServer | undefined;
let transport: WebSocketTransport | undefined;

afterEach(async () => {
  await transport?.close();
  await local?.close();
  transport = undefined;
  local = undefined;
});

/** The frames the server received, with the index of the socket each came on. */
interface ReceivedFrame {
  socketIndex: number;
  frame: Record<string, unknown>;
}

async function startRecordingServer(
  shouldDrop: (socketIndex: number, framesOnSocket: number) => boolean = () => false,
): Promise<{ server: LocalWebSocketServer; frames: ReceivedFrame[] }> {
  const frames: ReceivedFrame[] = [];
  const perSocket = new Map<number, number>();
  const server = await startLocalWebSocketServer((socket, frame, socketIndex) => {
    const count = (perSocket.get(socketIndex) ?? 0) + 1;
    perSocket.set(socketIndex, count);
    if (shouldDrop(socketIndex, count)) {
      socket.terminate();
      return;
    }
    frames.push({ socketIndex, frame });
    for (const event of completedResponseEvents(`frame ${frames.length}`)) socket.send(JSON.stringify(event));
  });
  return { server, frames };
}

const fullBody = userTurnBody('the whole history');
const continuationBody = { ...userTurnBody('only the new item'), previous_response_id: 'resp_1' };

function request(url: string, extra: Record<string, unknown> = {}) {
  return {
    url,
    headers: { Authorization: 'Bearer local-test-token' },
    body: fullBody,
    sessionId: 'conversation-1',
    ...extra,
  };
}

describe('continuation on the connection that produced the previous response', () => {
  it('names the connection of every response', TIMEOUT, async () => {
    const { server } = await startRecordingServer();
    local = server;
    transport = createWebSocketTransport();
    const first = await transport.stream(request(local.url));
    await collectEvents(first.events);
    const second = await transport.stream(request(local.url));
    await collectEvents(second.events);
    expect(first.connection?.id).toMatch(/^wsc_/);
    expect(second.connection).toEqual({ id: first.connection?.id, continued: false });
  });

  it('sends the continuation body on the named connection, the full body elsewhere', TIMEOUT, async () => {
    const { server, frames } = await startRecordingServer();
    local = server;
    transport = createWebSocketTransport();
    const first = await transport.stream(request(local.url));
    await collectEvents(first.events);
    const connectionId = first.connection?.id ?? '';

    const continued = await transport.stream(
      request(local.url, { continuation: { connectionId, body: continuationBody } }),
    );
    await collectEvents(continued.events);
    expect(continued.connection).toEqual({ id: connectionId, continued: true });

    const elsewhere = await transport.stream(
      request(local.url, { continuation: { connectionId: 'wsc_999', body: continuationBody } }),
    );
    await collectEvents(elsewhere.events);
    expect(elsewhere.connection?.continued).toBe(false);

    expect(frames.map(({ frame }) => frame.previous_response_id)).toEqual([undefined, 'resp_1', undefined]);
    expect(frames[1]?.frame).toEqual({ type: 'response.create', ...omitStream(continuationBody) });
  });

  it('sends the full body on a fresh socket when the named one is gone', TIMEOUT, async () => {
    const { server, frames } = await startRecordingServer();
    local = server;
    transport = createWebSocketTransport();
    const first = await transport.stream(request(local.url));
    await collectEvents(first.events);
    await transport.closeSession('conversation-1');
    expect(transport.state().idleConnections).toBe(0);

    const next = await transport.stream(
      request(local.url, {
        continuation: { connectionId: first.connection?.id ?? '', body: continuationBody },
      }),
    );
    await collectEvents(next.events);
    expect(next.connection?.continued).toBe(false);
    expect(next.connection?.id).not.toBe(first.connection?.id);
    expect(frames.at(-1)?.frame.previous_response_id).toBeUndefined();
    expect(local.accepted).toBe(2);
  });

  it('resends the full body when the pooled socket turns out to be stale', TIMEOUT, async () => {
    // The first socket drops the second frame it gets, as a server that forgot the socket would.
    const { server, frames } = await startRecordingServer(
      (socketIndex, framesOnSocket) => socketIndex === 0 && framesOnSocket === 2,
    );
    local = server;
    transport = createWebSocketTransport();
    const first = await transport.stream(request(local.url));
    await collectEvents(first.events);
    const next = await transport.stream(
      request(local.url, {
        continuation: { connectionId: first.connection?.id ?? '', body: continuationBody },
      }),
    );
    await collectEvents(next.events);
    expect(frames.map(({ socketIndex }) => socketIndex)).toEqual([0, 1]);
    expect(frames[1]?.frame.previous_response_id).toBeUndefined();
    expect(next.connection?.continued).toBe(false);
    expect(next.connection?.id).not.toBe(first.connection?.id);
  });

  it('closeSession leaves other sessions and responses in flight alone', TIMEOUT, async () => {
    const { server } = await startRecordingServer();
    local = server;
    transport = createWebSocketTransport();
    const mine = await transport.stream(request(local.url));
    await collectEvents(mine.events);
    const other = await transport.stream(request(local.url, { sessionId: 'conversation-2' }));
    await collectEvents(other.events);
    expect(transport.state().idleConnections).toBe(2);
    await transport.closeSession('conversation-1');
    await transport.closeSession('never-seen');
    expect(transport.state()).toMatchObject({ idleConnections: 1, openConnections: 1 });
  });
});

function omitStream(body: Record<string, unknown>): Record<string, unknown> {
  const { stream: _stream, ...rest } = body;
  return rest;
}
