import type { TransportRequest } from '@codetether/responses-protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectEvents, userTurnBody } from './__fixtures__/emulator-requests.js';
import {
  completedResponseEvents,
  type LocalWebSocketServer,
  startLocalWebSocketServer,
} from './__fixtures__/local-web-socket-server.js';
import { createWebSocketTransport, type WebSocketTransport } from './web-socket-transport.js';

/*
 * One-shot requests (no sessionId) that share sockets take a spare — the idle socket of an ended
 * sharing session — instead of opening a socket; never a live session's socket, never when the request
 * names a previous response (the spare's cached one must stay out of reach), and the socket closes
 * after the one-shot's response (its own cached response reaches nobody).
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

/** A server that completes every request; `frames` lists the socket index of each request. */
async function start() {
  const frames: number[] = [];
  local = await startLocalWebSocketServer((socket, _frame, socketIndex) => {
    frames.push(socketIndex);
    for (const event of completedResponseEvents('x')) socket.send(JSON.stringify(event));
  });
  transport = createWebSocketTransport();
  return { server: local, transport, frames };
}

function request(url: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return { url, headers: { Authorization: 'Bearer local-test-token' }, body: userTurnBody('hi'), ...extra };
}

/** Runs one whole response. */
async function run(ws: WebSocketTransport, toSend: TransportRequest) {
  const response = await ws.stream(toSend);
  expect((await collectEvents(response.events)).at(-1)?.type).toBe('response.completed');
  return response;
}

/** Leaves one spare: a sharing session that took a turn and ended. */
async function leaveSpare(ws: WebSocketTransport, url: string, sessionId = 'ended') {
  await run(ws, request(url, { sessionId, shareConnection: true }));
  await ws.closeSession(sessionId);
  expect(ws.state()).toMatchObject({ openConnections: 1, idleConnections: 1 });
}

describe('one-shot requests and spare sockets', () => {
  it('a sharing one-shot request takes the spare, which then closes', TIMEOUT, async () => {
    const { server, transport, frames } = await start();
    await leaveSpare(transport, server.url);
    const response = await run(transport, request(server.url, { shareConnection: true }));
    expect(frames).toEqual([0, 0]);
    expect(server.accepted).toBe(1);
    expect(response.connection).toEqual({ id: 'wsc_1', continued: false });
    await vi.waitFor(() =>
      expect(transport?.state()).toEqual({
        openConnections: 0,
        countedConnections: 0,
        idleConnections: 0,
        activeResponses: 0,
      }),
    );
    // The spare is gone: the next one-shot opens a socket.
    await run(transport, request(server.url, { shareConnection: true }));
    expect(server.accepted).toBe(2);
  });

  it(
    'a one-shot request that does not share opens its own socket and leaves the spare',
    TIMEOUT,
    async () => {
      const { server, transport, frames } = await start();
      await leaveSpare(transport, server.url);
      await run(transport, request(server.url));
      expect(frames).toEqual([0, 1]);
      expect(transport.state()).toMatchObject({ idleConnections: 1 });
    },
  );

  it.each([
    ['a previous_response_id in its body', { body: userTurnBody('hi', { previous_response_id: 'resp_1' }) }],
    ['a continuation', { continuation: { connectionId: 'wsc_1', body: userTurnBody('more') } }],
  ])(
    'a one-shot request naming a previous response (%s) never takes a spare',
    TIMEOUT,
    async (_name, extra) => {
      const { server, transport, frames } = await start();
      await leaveSpare(transport, server.url);
      const response = await run(transport, request(server.url, { shareConnection: true, ...extra }));
      expect(frames).toEqual([0, 1]);
      expect(response.connection).toEqual({ id: 'wsc_2', continued: false });
      expect(transport.state()).toMatchObject({ idleConnections: 1 });
    },
  );

  it('a previous_response_id of null names nothing: the spare is taken', TIMEOUT, async () => {
    const { server, transport, frames } = await start();
    await leaveSpare(transport, server.url);
    await run(
      transport,
      request(server.url, {
        shareConnection: true,
        body: userTurnBody('hi', { previous_response_id: null }),
      }),
    );
    expect(frames).toEqual([0, 0]);
  });

  it('never takes the idle socket of a live session, sharing or not', TIMEOUT, async () => {
    const { server, transport, frames } = await start();
    await run(transport, request(server.url, { sessionId: 'sharing', shareConnection: true }));
    await run(transport, request(server.url, { sessionId: 'own' }));
    await run(transport, request(server.url, { shareConnection: true }));
    expect(frames).toEqual([0, 1, 2]);
    // Both sessions still continue on their own sockets.
    await run(transport, request(server.url, { sessionId: 'sharing', shareConnection: true }));
    await run(transport, request(server.url, { sessionId: 'own' }));
    expect(frames).toEqual([0, 1, 2, 0, 1]);
  });

  it('never takes a spare of another account or endpoint', TIMEOUT, async () => {
    const { server, transport, frames } = await start();
    await leaveSpare(transport, server.url);
    await run(
      transport,
      request(server.url, { shareConnection: true, headers: { Authorization: 'Bearer another-account' } }),
    );
    expect(frames).toEqual([0, 1]);
    expect(transport.state()).toMatchObject({ idleConnections: 1 });
  });

  it('a spare the server closed while idle is not taken', TIMEOUT, async () => {
    const { server, transport, frames } = await start();
    await leaveSpare(transport, server.url);
    for (const client of server.server.clients) client.close(1001, 'going away');
    await vi.waitFor(() =>
      expect(transport?.state()).toMatchObject({ openConnections: 0, idleConnections: 0 }),
    );
    await run(transport, request(server.url, { shareConnection: true }));
    expect(frames).toEqual([0, 1]);
    await vi.waitFor(() => expect(transport?.state().countedConnections).toBe(0));
  });
});
