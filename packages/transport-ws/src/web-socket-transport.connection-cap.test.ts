import { type AddressInfo, createServer } from 'node:net';
import type { TransportRequest } from '@codetether/responses-protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { collectEvents, userTurnBody } from './__fixtures__/emulator-requests.js';
import {
  completedResponseEvents,
  type LocalWebSocketServer,
  startLocalWebSocketServer,
} from './__fixtures__/local-web-socket-server.js';
import { ManualScheduler } from './__fixtures__/manual-scheduler.js';
import { ConnectionSlots } from './connection-slots.js';
import {
  createWebSocketTransport,
  DEFAULT_MAX_CONNECTIONS,
  type WebSocketTransport,
  type WebSocketTransportOptions,
} from './web-socket-transport.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

/*
 * maxConnections: busy sockets are capped too. A request beyond the cap fails at once with the
 * fallback-safe `too-many-connections` (never queues or hangs), idle sockets give their place to busy
 * ones, and every way a socket ends frees its place exactly once.
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

/** A server that holds every request until the test answers it (or completes at once when `hold` says no). */
async function start(
  options: WebSocketTransportOptions,
  hold: (frame: Record<string, unknown>) => boolean = () => true,
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
  return { server: local, transport, held };
}

function request(url: string, sessionId: string | undefined, extra: Partial<TransportRequest> = {}) {
  const base: TransportRequest = {
    url,
    headers: { Authorization: 'Bearer local-test-token' },
    body: userTurnBody('hi'),
  };
  if (sessionId !== undefined) base.sessionId = sessionId;
  return { ...base, ...extra };
}

/** Answers one held request with a whole response. */
function answer(socket: WebSocket | undefined): void {
  for (const event of completedResponseEvents('x')) socket?.send(JSON.stringify(event));
}

async function rejection(promise: Promise<unknown>): Promise<WebSocketTransportError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WebSocketTransportError);
  return error as WebSocketTransportError;
}

/** Fills the cap of `size` with held responses and checks one more request is refused, then returns them. */
async function fillCap(
  size: number,
  server: LocalWebSocketServer,
  held: WebSocket[],
  ws: WebSocketTransport,
) {
  const responses = [];
  for (let index = 0; index < size; index += 1) {
    responses.push(await ws.stream(request(server.url, `busy-${index}-${server.accepted}`)));
  }
  await vi.waitFor(() => expect(held.length).toBeGreaterThanOrEqual(size));
  expect(ws.state().countedConnections).toBe(size);
  const refused = await rejection(ws.stream(request(server.url, 'one-more')));
  expect(refused.code).toBe('too-many-connections');
  return responses;
}

describe('maxConnections', () => {
  it(
    'refuses a request beyond the cap at once, fallback-safe and retryable, without a handshake',
    TIMEOUT,
    async () => {
      const { server, transport, held } = await start({ maxConnections: 2 });
      await transport.stream(request(server.url, 'a'));
      await transport.stream(request(server.url, undefined));
      await vi.waitFor(() => expect(held).toHaveLength(2));
      const error = await rejection(transport.stream(request(server.url, 'c')));
      expect(error).toMatchObject({
        code: 'too-many-connections',
        transport: 'websocket',
        fallbackSafe: true,
        isRetryable: true,
      });
      expect(error.message).toContain('maxConnections');
      expect(server.accepted).toBe(2);
      expect(transport.state()).toMatchObject({
        openConnections: 2,
        countedConnections: 2,
        activeResponses: 2,
      });
    },
  );

  it('lets no more than the cap through when requests race in the same tick', TIMEOUT, async () => {
    const { server, transport, held } = await start({ maxConnections: 2 });
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd', undefined].map((sessionId) => transport.stream(request(server.url, sessionId))),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused).toHaveLength(3);
    for (const result of refused) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'too-many-connections' });
    }
    await vi.waitFor(() => expect(held).toHaveLength(2));
    expect(server.accepted).toBe(2);
  });

  it('closes the socket idle the longest to make room for a busy one', TIMEOUT, async () => {
    const { server, transport } = await start({ maxConnections: 2 }, () => false);
    await collectEvents((await transport.stream(request(server.url, 'a'))).events);
    await collectEvents((await transport.stream(request(server.url, 'b'))).events);
    expect(transport.state()).toMatchObject({ idleConnections: 2, countedConnections: 2 });
    await collectEvents((await transport.stream(request(server.url, 'c'))).events);
    await vi.waitFor(() =>
      expect(transport?.state()).toMatchObject({
        openConnections: 2,
        idleConnections: 2,
        countedConnections: 2,
      }),
    );
    // `b` kept its socket; `a`'s made room for `c`.
    await collectEvents((await transport.stream(request(server.url, 'b'))).events);
    expect(server.accepted).toBe(3);
  });

  it('reuses a session’s own idle socket at the cap (no new place needed)', TIMEOUT, async () => {
    const { server, transport, held } = await start({ maxConnections: 2 }, (frame) => frame.hold === true);
    await collectEvents((await transport.stream(request(server.url, 'a'))).events);
    await transport.stream(request(server.url, 'b', { body: userTurnBody('hi', { hold: true }) }));
    await vi.waitFor(() => expect(held).toHaveLength(1));
    await collectEvents((await transport.stream(request(server.url, 'a'))).events);
    expect(server.accepted).toBe(2);
  });

  it('frees the place of an aborted response once', TIMEOUT, async () => {
    const { server, transport, held } = await start({ maxConnections: 2 });
    const controller = new AbortController();
    const response = await transport.stream(request(server.url, 'a', { signal: controller.signal }));
    await transport.stream(request(server.url, 'b'));
    await vi.waitFor(() => expect(held).toHaveLength(2));
    controller.abort();
    const error = await rejection(collectEvents(response.events));
    expect(error.code).toBe('aborted');
    expect(transport.state().countedConnections).toBe(1);
    await transport.stream(request(server.url, 'c'));
    expect(transport.state().countedConnections).toBe(2);
    await vi.waitFor(() => expect(transport?.state().openConnections).toBe(2));
    expect((await rejection(transport.stream(request(server.url, 'd')))).code).toBe('too-many-connections');
  });

  it('frees the place of a handshake aborted by the caller', TIMEOUT, async () => {
    const { server, transport } = await start({ maxConnections: 1 });
    const controller = new AbortController();
    const pending = transport.stream(request(server.url, 'a', { signal: controller.signal }));
    expect(transport.state().countedConnections).toBe(1);
    controller.abort();
    expect((await rejection(pending)).code).toBe('aborted');
    await vi.waitFor(() => expect(transport?.state().openConnections).toBe(0));
    expect(transport.state().countedConnections).toBe(0);
    await transport.stream(request(server.url, 'b'));
    expect(transport.state().countedConnections).toBe(1);
  });

  it('frees the place of a handshake that fails', TIMEOUT, async () => {
    // A port that was just freed: nothing listens there, so the connection is refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    transport = createWebSocketTransport({ maxConnections: 1 });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await rejection(transport.stream(request(`http://127.0.0.1:${port}/responses`, 'a')));
      expect(error.code).toBe('network');
      expect(transport.state().countedConnections).toBe(0);
    }
  });

  it('frees the places of responses the server closes or breaks, once each', TIMEOUT, async () => {
    const { server, transport, held } = await start({ maxConnections: 3 });
    const closed = await transport.stream(request(server.url, 'closed'));
    const broken = await transport.stream(request(server.url, 'broken'));
    const dropped = await transport.stream(request(server.url, 'dropped'));
    await vi.waitFor(() => expect(held).toHaveLength(3));
    held[0]?.close(1011, 'going away');
    held[1]?.send('not json');
    held[2]?.terminate();
    expect((await rejection(collectEvents(closed.events))).code).toBe('closed-before-completion');
    expect((await rejection(collectEvents(broken.events))).code).toBe('protocol');
    expect((await rejection(collectEvents(dropped.events))).code).toBe('closed-before-completion');
    await vi.waitFor(() => expect(transport?.state().openConnections).toBe(0));
    expect(transport.state()).toMatchObject({ countedConnections: 0, activeResponses: 0 });
    await fillCap(3, server, held, transport);
  });

  it('frees the place of a response the consumer stops reading', TIMEOUT, async () => {
    const { server, transport, held } = await start({ maxConnections: 1 });
    const response = await transport.stream(request(server.url, 'a'));
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const iterator = response.events[Symbol.asyncIterator]();
    held[0]?.send(JSON.stringify(completedResponseEvents('x')[0]));
    await iterator.next();
    await iterator.return?.();
    expect(transport.state().countedConnections).toBe(0);
    await transport.stream(request(server.url, 'b'));
    expect(transport.state().countedConnections).toBe(1);
  });

  it('frees the place of a closed session and of a one-shot socket after its response', TIMEOUT, async () => {
    const { server, transport, held } = await start({ maxConnections: 2 });
    const session = await transport.stream(request(server.url, 'a'));
    const oneShot = await transport.stream(request(server.url, undefined));
    await vi.waitFor(() => expect(held).toHaveLength(2));
    answer(held[0]);
    answer(held[1]);
    await collectEvents(session.events);
    await collectEvents(oneShot.events);
    expect(transport.state()).toMatchObject({ idleConnections: 1, countedConnections: 1 });
    await transport.closeSession('a');
    // Closing the session twice (and the socket closing afterwards) frees nothing more.
    await transport.closeSession('a');
    await vi.waitFor(() => expect(transport?.state().openConnections).toBe(0));
    expect(transport.state().countedConnections).toBe(0);
    held.length = 0;
    await fillCap(2, server, held, transport);
  });

  it('frees every place on close(), responses in flight included', TIMEOUT, async () => {
    const { server, transport, held } = await start({ maxConnections: 2 });
    const response = await transport.stream(request(server.url, 'a'));
    const pending = rejection(transport.stream(request(server.url, 'b')));
    await transport.close();
    expect((await pending).code).toBe('transport-closed');
    expect((await rejection(collectEvents(response.events))).code).toBe('transport-closed');
    expect(transport.state()).toMatchObject({ openConnections: 0, countedConnections: 0 });
    expect(held.length).toBeLessThanOrEqual(2);
  });

  it(
    'resends on a fresh socket at the cap when the pooled one went stale (its place is freed first)',
    TIMEOUT,
    async () => {
      const frames: number[] = [];
      local = await startLocalWebSocketServer((socket, _frame, socketIndex) => {
        frames.push(socketIndex);
        // Socket 0 answers its first turn only, then plays dead (no close, no frames).
        if (socketIndex === 0 && frames.filter((index) => index === 0).length > 1) return;
        answer(socket);
      });
      const scheduler = new ManualScheduler();
      transport = createWebSocketTransport({
        maxConnections: 1,
        scheduler,
        now: scheduler.now,
        connectTimeoutMs: 2_000,
      });
      await collectEvents((await transport.stream(request(local.url, 's'))).events);
      const second = await transport.stream(request(local.url, 's'));
      await vi.waitFor(() => expect(frames).toHaveLength(2));
      scheduler.advance(2_000);
      expect((await collectEvents(second.events)).at(-1)?.type).toBe('response.completed');
      expect(frames).toEqual([0, 0, 1]);
      await vi.waitFor(() =>
        expect(transport?.state()).toMatchObject({
          openConnections: 1,
          countedConnections: 1,
          idleConnections: 1,
        }),
      );
    },
  );

  it('checks the option like the other limits', () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBe(1024);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createWebSocketTransport({ maxConnections: bad })).toThrow(RangeError);
    }
    expect(() => createWebSocketTransport({ maxConnections: 0 })).toThrow(/maxConnections/);
  });
});

describe('ConnectionSlots', () => {
  it('gives a place back once however often it is released, and never goes below zero', () => {
    const slots = new ConnectionSlots(2);
    const first = slots.tryAcquire();
    const second = slots.tryAcquire();
    expect(slots.tryAcquire()).toBeUndefined();
    expect(slots.used).toBe(2);
    first?.release();
    first?.release();
    expect(slots.used).toBe(1);
    second?.release();
    second?.release();
    expect(slots.used).toBe(0);
    expect(slots.tryAcquire()).toBeDefined();
    expect(slots.used).toBe(1);
  });
});
