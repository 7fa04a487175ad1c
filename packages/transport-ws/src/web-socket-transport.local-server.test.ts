import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { collectEvents, collectUntilError, userTurnBody } from './__fixtures__/emulator-requests.js';
import {
  completedResponseEvents,
  type LocalWebSocketServer,
  startLocalWebSocketServer,
} from './__fixtures__/local-web-socket-server.js';
import { ManualScheduler } from './__fixtures__/manual-scheduler.js';
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

function request(url: string, sessionId?: string) {
  return { url, headers: { Authorization: 'Bearer local-test-token' }, body: userTurnBody('hi'), sessionId };
}

describe('createWebSocketTransport against a local ws server', () => {
  it('decodes binary frames as UTF-8 JSON', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket) => {
      for (const event of completedResponseEvents('grüße ✓'))
        socket.send(Buffer.from(JSON.stringify(event)), { binary: true });
    });
    transport = createWebSocketTransport();
    const response = await transport.stream(request(local.url));
    const events = await collectEvents(response.events);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.output_text.delta',
      'response.completed',
    ]);
    expect(events[1]).toMatchObject({ delta: 'grüße ✓' });
  });

  it('fails a malformed frame with protocol and discards the socket', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket) => {
      socket.send(JSON.stringify({ type: 'response.created', response: {} }));
      socket.send('this is not json');
    });
    transport = createWebSocketTransport();
    const response = await transport.stream(request(local.url, 's'));
    const { events, error } = await collectUntilError(response.events);
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ code: 'protocol', fallbackSafe: false, isRetryable: false });
    await expect.poll(() => transport?.state().openConnections).toBe(0);
  });

  it('fails a text frame with invalid UTF-8 with protocol', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket) => {
      socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    });
    transport = createWebSocketTransport();
    const response = await transport.stream(request(local.url));
    const { error } = await collectUntilError(response.events);
    expect(error).toMatchObject({ code: 'protocol', fallbackSafe: true });
  });

  it('answers server pings while a response is in flight', TIMEOUT, async () => {
    const pongs: string[] = [];
    local = await startLocalWebSocketServer((socket) => {
      socket.on('pong', (data) => {
        pongs.push(String(data));
        for (const event of completedResponseEvents('after pong')) socket.send(JSON.stringify(event));
      });
      socket.ping('are-you-there');
    });
    transport = createWebSocketTransport();
    const response = await transport.stream(request(local.url));
    expect((await collectEvents(response.events)).at(-1)?.type).toBe('response.completed');
    expect(pongs).toEqual(['are-you-there']);
  });

  it('stops reading while the consumer is behind and delivers every event in order', TIMEOUT, async () => {
    const count = 3000;
    local = await startLocalWebSocketServer((socket) => {
      socket.send(JSON.stringify({ type: 'response.created', response: {} }));
      for (let index = 0; index < count; index += 1) {
        socket.send(JSON.stringify({ type: 'response.output_text.delta', delta: String(index) }));
      }
      socket.send(JSON.stringify({ type: 'response.completed', response: {} }));
    });
    let pauses = 0;
    class PausingWebSocket extends WebSocket {
      override pause(): void {
        pauses += 1;
        super.pause();
      }
    }
    transport = createWebSocketTransport({ WebSocket: PausingWebSocket });
    const response = await transport.stream(request(local.url, 's'));
    const iterator = response.events[Symbol.asyncIterator]();
    // Let the whole burst arrive before reading anything.
    await expect.poll(() => pauses).toBeGreaterThan(0);
    const deltas: string[] = [];
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      if (next.value.type === 'response.output_text.delta') deltas.push(next.value.delta);
    }
    expect(deltas).toEqual(Array.from({ length: count }, (_, index) => String(index)));
    const again = await transport.stream(request(local.url, 's'));
    expect((await collectEvents(again.events)).length).toBe(count + 2);
    expect(local.accepted).toBe(1);
  });

  it('reports a frame over the size limit as message-too-big (close 1009)', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket) => {
      socket.send(JSON.stringify({ type: 'response.output_text.delta', delta: 'x'.repeat(4096) }));
    });
    transport = createWebSocketTransport({ maxPayloadBytes: 1024 });
    const response = await transport.stream(request(local.url));
    const { error } = await collectUntilError(response.events);
    expect(error).toMatchObject({
      code: 'message-too-big',
      closeCode: 1009,
      fallbackSafe: true,
      isRetryable: false,
    });
  });

  it(
    'turns an error event with a 5xx status into server-error and keeps the session usable',
    TIMEOUT,
    async () => {
      let turn = 0;
      local = await startLocalWebSocketServer((socket) => {
        turn += 1;
        if (turn === 1) {
          socket.send(
            JSON.stringify({
              type: 'error',
              status_code: 503,
              error: { type: 'server_error', message: 'overloaded' },
              headers: { 'x-request-id': 'req_503' },
            }),
          );
          return;
        }
        for (const event of completedResponseEvents('ok')) socket.send(JSON.stringify(event));
      });
      transport = createWebSocketTransport();
      const failed = await transport.stream(request(local.url, 's'));
      const { error } = await collectUntilError(failed.events);
      expect(error).toMatchObject({
        code: 'http-status',
        status: 503,
        isRetryable: true,
        fallbackSafe: true,
        serverMessage: 'overloaded',
        requestId: 'req_503',
      });
      const next = await transport.stream(request(local.url, 's'));
      expect((await collectEvents(next.events)).at(-1)?.type).toBe('response.completed');
    },
  );

  it('retries once on a fresh socket when a pooled socket turns out to be stale', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket, _frame, socketIndex) => {
      if (
        socketIndex === 0 &&
        socket.listenerCount('message') > 0 &&
        (socket as { served?: boolean }).served
      ) {
        socket.terminate();
        return;
      }
      (socket as { served?: boolean }).served = true;
      for (const event of completedResponseEvents(`socket ${socketIndex}`))
        socket.send(JSON.stringify(event));
    });
    transport = createWebSocketTransport();
    const first = await transport.stream(request(local.url, 's'));
    await collectEvents(first.events);
    const second = await transport.stream(request(local.url, 's'));
    const events = await collectEvents(second.events);
    expect(events[1]).toMatchObject({ delta: 'socket 1' });
    expect(local.accepted).toBe(2);
  });

  it('refreshes rate limits from codex.rate_limits events', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket) => {
      socket.send(
        JSON.stringify({
          type: 'codex.rate_limits',
          headers: { 'x-codex-primary-used-percent': '42', 'x-codex-plan-type': 'pro' },
        }),
      );
      for (const event of completedResponseEvents('ok')) socket.send(JSON.stringify(event));
    });
    transport = createWebSocketTransport();
    const response = await transport.stream(request(local.url));
    expect(response.rateLimits).toEqual({});
    await collectEvents(response.events);
    expect(response.rateLimits).toMatchObject({ primary: { usedPercent: 42 }, planType: 'pro' });
  });

  it('times out a handshake that never completes (injected timers)', TIMEOUT, async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const scheduler = new ManualScheduler();
    transport = createWebSocketTransport({ scheduler, now: scheduler.now, connectTimeoutMs: 2_000 });
    const attempt = transport.stream(request(`http://127.0.0.1:${port}/responses`));
    await expect.poll(() => sockets.length).toBe(1);
    scheduler.advance(2_000);
    await expect(attempt).rejects.toMatchObject({
      code: 'timeout-connect',
      fallbackSafe: true,
      isRetryable: true,
    });
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('rejects headers that cannot be sent without echoing them', TIMEOUT, async () => {
    local = await startLocalWebSocketServer(() => {});
    transport = createWebSocketTransport();
    const attempt = transport.stream({
      ...request(local.url),
      headers: { Authorization: 'Bearer secret\nvalue' },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'invalid-request', fallbackSafe: false });
    await expect(attempt).rejects.not.toThrow(/secret/);
    expect(local.accepted).toBe(0);
  });

  it('forgets an idle socket the server closed', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket) => {
      for (const event of completedResponseEvents('bye')) socket.send(JSON.stringify(event));
      socket.close(1000, 'done');
    });
    transport = createWebSocketTransport();
    const response = await transport.stream(request(local.url, 's'));
    await collectEvents(response.events);
    await expect
      .poll(() => transport?.state())
      .toEqual({ openConnections: 0, countedConnections: 0, idleConnections: 0, activeResponses: 0 });
    const next = await transport.stream(request(local.url, 's'));
    expect((await collectEvents(next.events)).at(-1)?.type).toBe('response.completed');
    expect(local.accepted).toBe(2);
  });

  it('destroys a socket whose server does not answer the close frame', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket) => {
      for (const event of completedResponseEvents('ok')) socket.send(JSON.stringify(event));
      // Stop reading: the close frame from the client is never answered.
      (socket as unknown as { _socket: Socket })._socket.pause();
    });
    const scheduler = new ManualScheduler();
    transport = createWebSocketTransport({ scheduler, now: scheduler.now });
    const response = await transport.stream(request(local.url, 's'));
    await collectEvents(response.events);
    let closed = false;
    const closing = transport.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    scheduler.advance(2_000);
    await closing;
    expect(transport.state().openConnections).toBe(0);
  });

  it('does not keep the process alive with an idle pooled socket', { timeout: 30_000 }, async () => {
    local = await startLocalWebSocketServer((socket) => {
      for (const event of completedResponseEvents('ok')) socket.send(JSON.stringify(event));
    });
    const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        '--import',
        fileURLToPath(new URL('../../../scripts/testing/typescript-source-hooks.mjs', import.meta.url)),
        fixture('idle-socket-child.mjs'),
        local.url,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    onTestFinished(() => {
      if (child.exitCode === null) child.kill();
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    });
    // The server keeps the socket open; only the client's unref'd idle socket could hold the child.
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(errors).toBe('');
    expect(exitCode).toBe(0);
    expect(JSON.parse(output)).toEqual({
      last: 'response.completed',
      openConnections: 1,
      countedConnections: 1,
      idleConnections: 1,
      activeResponses: 0,
    });
  });

  it('leaves no sockets behind after a mix of outcomes and close()', TIMEOUT, async () => {
    local = await startLocalWebSocketServer((socket, frame) => {
      const input = JSON.stringify(frame.input);
      if (input.includes('drop')) {
        socket.terminate();
        return;
      }
      for (const event of completedResponseEvents('ok')) socket.send(JSON.stringify(event));
    });
    const baseline = process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
    transport = createWebSocketTransport();
    const url = local.url;
    for (const [text, sessionId] of [
      ['one', 'a'],
      ['drop', 'a'],
      ['two', 'b'],
      ['three', undefined],
    ] as const) {
      const response = await transport.stream({ ...request(url, sessionId), body: userTurnBody(text) });
      await collectEvents(response.events).catch(() => undefined);
    }
    await transport.close();
    await local.close();
    local = undefined;
    await expect
      .poll(() => process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length)
      .toBeLessThanOrEqual(baseline);
  });
});
