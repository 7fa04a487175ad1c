import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { collectEvents, userTurnBody } from './__fixtures__/emulator-requests.js';
import {
  completedResponseEvents,
  type LocalWebSocketServer,
  startLocalWebSocketServer,
} from './__fixtures__/local-web-socket-server.js';
import { ManualScheduler } from './__fixtures__/manual-scheduler.js';
import { SPARE_IDLE_TIMEOUT_MS } from './connection-pool.js';
import {
  createWebSocketTransport,
  type WebSocketTransport,
  type WebSocketTransportOptions,
} from './web-socket-transport.js';

/*
 * Releasing the upstream socket of a session that is over (closeSession), and the bound on idle
 * sockets: nothing of an ended conversation waits for the 5-minute idle timeout.
 */

const TIMEOUT = { timeout: 20_000 };

let local: LocalWebSocketServer | undefined;
let transport: WebSocketTransport | undefined;

afterEach(async () => {
  await transport?.close();
  await local?.close();
  transport = undefined;
  local = undefined;
});

/**
 * A server that completes every request at once, or holds it until the test calls the returned
 * `answerHeld` (when `hold` says so).
 */
async function start(
  options: WebSocketTransportOptions = {},
  hold: (frame: Record<string, unknown>) => boolean = () => false,
) {
  const held: WebSocket[] = [];
  local = await startLocalWebSocketServer((socket, frame) => {
    if (hold(frame)) {
      held.push(socket);
      return;
    }
    for (const event of completedResponseEvents('x')) socket.send(JSON.stringify(event));
  });
  transport = createWebSocketTransport(options);
  const answerHeld = (): void => {
    for (const socket of held.splice(0)) {
      for (const event of completedResponseEvents('x')) socket.send(JSON.stringify(event));
    }
  };
  return { server: local, transport, answerHeld, held };
}

function request(url: string, sessionId: string, extra: Record<string, unknown> = {}) {
  return {
    url,
    headers: { Authorization: 'Bearer local-test-token' },
    body: userTurnBody('hi'),
    sessionId,
    ...extra,
  };
}

/** Sockets the server still holds open. */
function serverSockets(server: LocalWebSocketServer): number {
  return [...server.server.clients].filter((client) => client.readyState === client.OPEN).length;
}

describe('closeSession', () => {
  it('closes the idle socket of the session at once, on both sides', TIMEOUT, async () => {
    const { server, transport } = await start();
    await collectEvents((await transport.stream(request(server.url, 'conversation'))).events);
    expect(transport.state()).toMatchObject({ openConnections: 1, idleConnections: 1 });
    await transport.closeSession('conversation');
    expect(transport.state()).toMatchObject({ openConnections: 0, idleConnections: 0 });
    await vi.waitFor(() => expect(serverSockets(server)).toBe(0));
  });

  it('releases the socket of a response in flight once it ends, instead of pooling it', TIMEOUT, async () => {
    const { server, transport, answerHeld, held } = await start({}, () => true);
    const response = await transport.stream(request(server.url, 'conversation'));
    await vi.waitFor(() => expect(held).toHaveLength(1));
    await transport.closeSession('conversation');
    expect(transport.state()).toMatchObject({ openConnections: 1, activeResponses: 1 });
    answerHeld();
    expect((await collectEvents(response.events)).at(-1)?.type).toBe('response.completed');
    await vi.waitFor(() =>
      expect(transport?.state()).toMatchObject({ openConnections: 0, idleConnections: 0 }),
    );
    await vi.waitFor(() => expect(serverSockets(server)).toBe(0));
  });

  it('keeps pooling when the session sends a new request after closeSession', TIMEOUT, async () => {
    const { server, transport, answerHeld, held } = await start({}, () => true);
    const first = await transport.stream(request(server.url, 'conversation'));
    await vi.waitFor(() => expect(held).toHaveLength(1));
    await transport.closeSession('conversation');
    const second = await transport.stream(request(server.url, 'conversation'));
    await vi.waitFor(() => expect(held).toHaveLength(2));
    answerHeld();
    await collectEvents(first.events);
    await collectEvents(second.events);
    // Both responses ended; the session keeps one idle socket (the other one closes).
    await vi.waitFor(() =>
      expect(transport?.state()).toEqual({
        openConnections: 1,
        countedConnections: 1,
        idleConnections: 1,
        activeResponses: 0,
      }),
    );
  });

  it('keeps the socket of a sharing session as a spare for SPARE_IDLE_TIMEOUT_MS only', TIMEOUT, async () => {
    const scheduler = new ManualScheduler();
    const { server, transport } = await start({ scheduler, now: scheduler.now });
    const shared = request(server.url, 'conversation-1', { shareConnection: true });
    await collectEvents((await transport.stream(shared)).events);
    await transport.closeSession('conversation-1');
    expect(transport.state()).toMatchObject({ openConnections: 1, idleConnections: 1 });
    scheduler.advance(SPARE_IDLE_TIMEOUT_MS);
    await vi.waitFor(() =>
      expect(transport?.state()).toMatchObject({ openConnections: 0, idleConnections: 0 }),
    );
    await vi.waitFor(() => expect(serverSockets(server)).toBe(0));
  });
});

describe('maxIdleConnections', () => {
  it('closes the socket idle the longest beyond the limit', TIMEOUT, async () => {
    const { server, transport } = await start({ maxIdleConnections: 2 });
    for (const sessionId of ['a', 'b', 'c', 'd']) {
      await collectEvents((await transport.stream(request(server.url, sessionId))).events);
    }
    await vi.waitFor(() =>
      expect(transport?.state()).toMatchObject({ openConnections: 2, idleConnections: 2 }),
    );
    await vi.waitFor(() => expect(serverSockets(server)).toBe(2));
    // `d` kept its socket; `a` did not.
    await collectEvents((await transport.stream(request(server.url, 'd'))).events);
    await collectEvents((await transport.stream(request(server.url, 'a'))).events);
    expect(server.accepted).toBe(5);
  });

  it('rejects a limit that is not a positive whole number', () => {
    expect(() => createWebSocketTransport({ maxIdleConnections: 0 })).toThrow(RangeError);
    expect(() => createWebSocketTransport({ maxIdleConnections: 1.5 })).toThrow(RangeError);
  });
});
