import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { collectEvents, collectUntilError, userTurnBody } from './__fixtures__/emulator-requests.js';
import {
  completedResponseEvents,
  type LocalWebSocketServer,
  startLocalWebSocketServer,
} from './__fixtures__/local-web-socket-server.js';
import { ManualScheduler } from './__fixtures__/manual-scheduler.js';
import { createWebSocketTransport, type WebSocketTransport } from './web-socket-transport.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

const TIMEOUT = { timeout: 20_000 };
const HEADER_TOKEN = 'tok_ws_header_secret_0123456789';
const QUERY_TOKEN = 'qsecret_ws_0123456789abcdef';

let local: LocalWebSocketServer | undefined;
let transport: WebSocketTransport | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await transport?.close();
  await local?.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  transport = undefined;
  local = undefined;
});

function request(url: string, sessionId?: string, signal?: AbortSignal) {
  return {
    url,
    headers: { Authorization: `Bearer ${HEADER_TOKEN}`, 'chatgpt-account-id': 'acct_1' },
    body: userTurnBody('hi'),
    sessionId,
    signal,
  };
}

function socketCount(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}

/** Every text an error exposes, cause chain included. */
function everyText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth += 1) {
    parts.push(String(current), JSON.stringify(current));
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

function expectNoSecrets(error: unknown): void {
  expect(error).toBeInstanceOf(WebSocketTransportError);
  const text = everyText(error);
  expect(text).not.toContain(HEADER_TOKEN);
  expect(text).not.toContain(QUERY_TOKEN);
}

/** An HTTP server that answers every upgrade with a raw response (status, headers, body). */
async function startRefusingServer(
  answer: (path: string, authorization: string) => { status: number; headers: string[]; body: string },
): Promise<string> {
  const server: HttpServer = createHttpServer((_request, response) => response.end());
  server.on('upgrade', (upgrade, socket) => {
    const { status, headers, body } = answer(upgrade.url ?? '', String(upgrade.headers.authorization));
    socket.end(
      `HTTP/1.1 ${status} Refused\r\n${[...headers, `content-length: ${Buffer.byteLength(body)}`, 'connection: close'].join('\r\n')}\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/responses`;
}

/** A TCP server that accepts connections and never answers (a handshake that hangs); closed after the test. */
async function startSilentServer(): Promise<{ port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const silent: Server = createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const address = silent.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, sockets };
}

/**
 * Waits until the transport holds exactly these sockets with no response in flight, then checks that
 * the session can take another turn.
 */
async function expectSettledThenReusable(
  transport: WebSocketTransport,
  url: string,
  sockets: { openConnections: number; idleConnections: number },
): Promise<void> {
  // Every socket still open is counted against maxConnections: none leaked, none freed twice.
  await expect
    .poll(() => transport.state())
    .toEqual({ ...sockets, countedConnections: sockets.openConnections, activeResponses: 0 });
  const next = await transport.stream(request(url, 's'));
  expect((await collectEvents(next.events)).at(-1)?.type).toBe('response.completed');
}

describe('close handling', () => {
  it('reports a clean close (1000) in the middle of a response as not fallback-safe', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket) => {
      socket.send(JSON.stringify({ type: 'response.created', response: { id: 'resp_1' } }));
      socket.send(JSON.stringify({ type: 'response.output_text.delta', delta: 'half' }));
      socket.close(1000, 'bye');
    });
    transport = createWebSocketTransport();
    const response = await transport.stream(request(local.url, 's'));
    const { events, error } = await collectUntilError(response.events);
    expect(events).toHaveLength(2);
    expect(error).toMatchObject({
      code: 'closed-before-completion',
      closeCode: 1000,
      closeReason: 'bye',
      fallbackSafe: false,
      isRetryable: false,
    });
    await expect.poll(() => transport?.state().openConnections).toBe(0);
  });

  it(
    'reports a clean close (1000) before any event on a fresh socket as fallback-safe',
    TIMEOUT,
    async () => {
      local = await startLocalWebSocketServer((socket) => socket.close(1000));
      transport = createWebSocketTransport();
      const response = await transport.stream(request(local.url, 's'));
      const { events, error } = await collectUntilError(response.events);
      expect(events).toEqual([]);
      expect(error).toMatchObject({ code: 'closed-before-completion', closeCode: 1000, fallbackSafe: true });
    },
  );

  it('ends at the terminal event, drops later frames and does not reuse that socket', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket, frame, socketIndex) => {
      const text = JSON.stringify(frame.input).includes('first') ? 'first' : `socket ${socketIndex}`;
      for (const event of completedResponseEvents(text)) socket.send(JSON.stringify(event));
      if (text === 'first') {
        socket.send(JSON.stringify({ type: 'response.output_text.delta', delta: 'stray' }));
        socket.send(JSON.stringify({ type: 'response.completed', response: { id: 'resp_stray' } }));
      }
    });
    transport = createWebSocketTransport();
    const first = await transport.stream({ ...request(local.url, 's'), body: userTurnBody('first') });
    const events = await collectEvents(first.events);
    expect(events).toHaveLength(3);
    expect(JSON.stringify(events)).not.toContain('stray');
    // Wait until the stray frames reached the idle socket.
    await expect.poll(() => local?.server.clients.size === 1 && transport?.state().idleConnections).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = await transport.stream(request(local.url, 's'));
    const next = await collectEvents(second.events);
    expect(JSON.stringify(next)).not.toContain('stray');
    expect(next[1]).toMatchObject({ delta: 'socket 1' });
    expect(local.accepted).toBe(2);
  });
});

describe('pool', () => {
  it(
    'gives concurrent turns of one session their own sockets, keeps one and reuses it',
    TIMEOUT,
    async () => {
      const releases: Array<() => void> = [];
      local = await startLocalWebSocketServer((socket, _frame, socketIndex) => {
        const send = () => {
          for (const event of completedResponseEvents(`socket ${socketIndex}`))
            socket.send(JSON.stringify(event));
        };
        if (releases.length < 3) releases.push(send);
        else send();
      });
      const ws = createWebSocketTransport();
      transport = ws;
      const url = local.url;
      const responses = await Promise.all([0, 1, 2].map(() => ws.stream(request(url, 's'))));
      expect(ws.state()).toMatchObject({ openConnections: 3, activeResponses: 3 });
      await expect.poll(() => releases.length).toBe(3);
      for (const release of releases) release();
      const texts = await Promise.all(
        responses.map(async (response) => {
          const events = await collectEvents(response.events);
          return (events[1] as { delta: string }).delta;
        }),
      );
      expect(new Set(texts).size).toBe(3);
      await expectSettledThenReusable(transport, local.url, { openConnections: 1, idleConnections: 1 });
      expect(local.accepted).toBe(3);
    },
  );

  it('resends on a fresh socket when a pooled socket silently stopped answering', TIMEOUT, async () => {
    const frames: number[] = [];
    local = await startLocalWebSocketServer((socket, _frame, socketIndex) => {
      frames.push(socketIndex);
      // Socket 0 answers its first turn only, then plays dead (no close, no frames).
      if (socketIndex === 0 && frames.filter((index) => index === 0).length > 1) return;
      for (const event of completedResponseEvents(`socket ${socketIndex}`))
        socket.send(JSON.stringify(event));
    });
    const scheduler = new ManualScheduler();
    transport = createWebSocketTransport({ scheduler, now: scheduler.now, connectTimeoutMs: 2_000 });
    await collectEvents((await transport.stream(request(local.url, 's'))).events);
    const second = await transport.stream(request(local.url, 's'));
    await expect.poll(() => frames.length).toBe(2);
    scheduler.advance(2_000);
    const events = await collectEvents(second.events);
    expect(events[1]).toMatchObject({ delta: 'socket 1' });
    expect(frames).toEqual([0, 0, 1]);
    await expect
      .poll(() => transport?.state())
      .toEqual({
        openConnections: 1,
        countedConnections: 1,
        idleConnections: 1,
        activeResponses: 0,
      });
  });

  it(
    'does not hand a pooled socket to another endpoint or account of the same session',
    TIMEOUT,
    async () => {
      local = await startLocalWebSocketServer((socket) => {
        for (const event of completedResponseEvents('ok')) socket.send(JSON.stringify(event));
      });
      const ws = createWebSocketTransport();
      transport = ws;
      const serverUrl = local.url;
      const turn = async (extra: { url?: string; account?: string; token?: string }) => {
        const base = request(extra.url ?? serverUrl, 's');
        base.headers['chatgpt-account-id'] = extra.account ?? 'acct_1';
        if (extra.token !== undefined) base.headers.Authorization = `Bearer ${extra.token}`;
        await collectEvents((await ws.stream(base)).events);
      };
      await turn({});
      await turn({ token: 'refreshed-token-0123456789' });
      expect(local.accepted).toBe(1);
      await turn({ account: 'acct_2' });
      expect(local.accepted).toBe(2);
      await turn({ url: `${local.url}?variant=other-endpoint` });
      expect(local.accepted).toBe(3);
      await expect.poll(() => transport?.state().openConnections).toBe(1);
    },
  );

  it('aborts a turn, then the session opens a fresh socket that works', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket, frame) => {
      socket.send(JSON.stringify({ type: 'response.created', response: {} }));
      if (JSON.stringify(frame.input).includes('hang')) return;
      for (const event of completedResponseEvents('ok').slice(1)) socket.send(JSON.stringify(event));
    });
    transport = createWebSocketTransport();
    await collectEvents((await transport.stream(request(local.url, 's'))).events);
    const controller = new AbortController();
    const hanging = await transport.stream({
      ...request(local.url, 's', controller.signal),
      body: userTurnBody('hang'),
    });
    const iterator = hanging.events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response.created' });
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'aborted', fallbackSafe: false });
    await expectSettledThenReusable(transport, local.url, { openConnections: 0, idleConnections: 0 });
    expect(local.accepted).toBe(2);
    controller.abort();
  });

  it('ignores an abort after completion: the pooled socket stays reusable', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket) => {
      for (const event of completedResponseEvents('ok')) socket.send(JSON.stringify(event));
    });
    const ws = createWebSocketTransport();
    transport = ws;
    const controller = new AbortController();
    const done = await ws.stream(request(local.url, 's', controller.signal));
    expect(await collectEvents(done.events)).toHaveLength(3);
    controller.abort();
    expect(ws.state()).toEqual({
      openConnections: 1,
      countedConnections: 1,
      idleConnections: 1,
      activeResponses: 0,
    });
    expect((await collectEvents((await ws.stream(request(local.url, 's'))).events)).at(-1)?.type).toBe(
      'response.completed',
    );
    expect(local.accepted).toBe(1);
  });

  it('aborts a handshake that hangs and leaves no socket', TIMEOUT, async () => {
    const { port, sockets } = await startSilentServer();
    const baseline = socketCount();
    transport = createWebSocketTransport();
    const controller = new AbortController();
    const attempt = transport.stream(request(`http://127.0.0.1:${port}/responses`, 's', controller.signal));
    await expect.poll(() => sockets.size).toBe(1);
    controller.abort();
    await expect(attempt).rejects.toMatchObject({ code: 'aborted', fallbackSafe: true });
    await expect.poll(() => sockets.size).toBe(0);
    await expect.poll(socketCount).toBeLessThanOrEqual(baseline);
  });
});

describe('close()', () => {
  it('stops a handshake in progress and leaves no socket', TIMEOUT, async () => {
    const { port, sockets } = await startSilentServer();
    const baseline = socketCount();
    const ws = createWebSocketTransport();
    transport = ws;
    const attempt = ws.stream(request(`http://127.0.0.1:${port}/responses`, 's'));
    await expect.poll(() => sockets.size).toBe(1);
    await ws.close();
    await expect(attempt).rejects.toMatchObject({ code: 'transport-closed', fallbackSafe: true });
    expect(ws.state()).toEqual({
      openConnections: 0,
      countedConnections: 0,
      idleConnections: 0,
      activeResponses: 0,
    });
    await expect.poll(() => sockets.size).toBe(0);
    await expect.poll(socketCount).toBeLessThanOrEqual(baseline);
  });
});

describe('secrets', () => {
  it('keeps header and URL-query tokens out of handshake refusals that echo them', TIMEOUT, async () => {
    const url = await startRefusingServer((path, authorization) => ({
      status: path.includes('json') ? 401 : 403,
      headers: ['content-type: application/json', `x-request-id: ${HEADER_TOKEN}`],
      body: path.includes('json')
        ? JSON.stringify({ error: { message: `bad ${authorization} for ${path}`, code: 'invalid_token' } })
        : `forbidden ${authorization.replace('Bearer ', '')} ${path}`,
    }));
    transport = createWebSocketTransport();
    for (const variant of ['json', 'text']) {
      const error = await transport
        .stream(request(`${url}?format=${variant}&api_key=${QUERY_TOKEN}`))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'http-status', fallbackSafe: true });
      expect((error as WebSocketTransportError).serverMessage).toContain('[redacted]');
      expectNoSecrets(error);
    }
  });

  it('keeps tokens out of close reasons and error events', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket, frame, _index, upgrade) => {
      const echo = `${upgrade.url} ${String(upgrade.headers.authorization).replace('Bearer ', '')}`;
      if (JSON.stringify(frame.input).includes('event')) {
        socket.send(JSON.stringify({ type: 'error', status_code: 400, error: { message: `bad ${echo}` } }));
        return;
      }
      socket.close(4000, echo.slice(0, 120));
    });
    transport = createWebSocketTransport();
    const url = `${local.url}?api_key=${QUERY_TOKEN}`;
    const closed = await transport.stream(request(url));
    const { error: closeError } = await collectUntilError(closed.events);
    expect(closeError).toMatchObject({ code: 'closed-before-completion', closeCode: 4000 });
    expectNoSecrets(closeError);
    const rejected = await transport.stream({ ...request(url), body: userTurnBody('event') });
    const { error: eventError } = await collectUntilError(rejected.events);
    expect(eventError).toMatchObject({ code: 'http-status', status: 400 });
    expectNoSecrets(eventError);
  });

  it('does not echo an invalid URL that holds a token', async () => {
    transport = createWebSocketTransport();
    for (const url of [`ftp://host/responses?key=${QUERY_TOKEN}`, `no url ${QUERY_TOKEN}`]) {
      const error = await transport.stream(request(url)).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'invalid-request' });
      expectNoSecrets(error);
    }
  });
});
