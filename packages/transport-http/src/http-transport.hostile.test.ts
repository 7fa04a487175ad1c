import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { getEventListeners } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import {
  collectEvents,
  completeAnswer,
  countActiveResources,
  sendJsonError,
  sseFrame,
  startEventStream,
  waitForAtMost,
} from './__fixtures__/fault-server.js';
import {
  drain,
  expectNoSecrets,
  expectSocketsClosed,
  expectTransportError,
  requestFor,
  TEST_TOKEN,
  useTransportHarness,
} from './__fixtures__/transport-harness.js';

const QUERY_TOKEN = 'qsecret_0123456789abcdef';
const SECRETS = [TEST_TOKEN, QUERY_TOKEN];

const { setUp, createTransport, onCleanup } = useTransportHarness();

/**
 * A TCP server on 127.0.0.1 that accepts connections and never says a word (a TLS handshake hangs);
 * closed after the test.
 */
async function startSilentServer(): Promise<{ port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.resume();
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  });
  const address = tcp.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, sockets };
}

describe('terminal events', () => {
  it('ends the iterator after the terminal event when the server never closes', {
    timeout: 15_000,
  }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.write(completeAnswer());
    });
    const response = await transport.stream(requestFor(server.url));
    const events = await collectEvents(response.events);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.output_text.delta',
      'response.completed',
    ]);
    // The unfinished body is given up after a short grace period: the socket is closed.
    await expectSocketsClosed(server);
  });

  it('drops events sent after response.completed', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.write(completeAnswer('once'));
      response.write(
        sseFrame({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, delta: 'again' }),
      );
      response.write(sseFrame({ type: 'response.completed', response: { id: 'resp_2' } }));
    });
    const response = await transport.stream(requestFor(server.url));
    const events = await collectEvents(response.events);
    expect(events).toHaveLength(3);
    expect(JSON.stringify(events)).not.toContain('again');
    await expectSocketsClosed(server);
  });

  it('ends at an error event too', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.write(sseFrame({ type: 'error', code: 'server_error', message: 'boom' }));
    });
    const response = await transport.stream(requestFor(server.url));
    expect(await collectEvents(response.events)).toEqual([
      { type: 'error', code: 'server_error', message: 'boom' },
    ]);
  });

  it('keeps the keep-alive socket when the body ends right after the terminal event', {
    timeout: 15_000,
  }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.write(completeAnswer());
      // The end of the body arrives in a later packet, and a trailing [DONE] is tolerated.
      setImmediate(() => response.end('data: [DONE]\n\n'));
    });
    for (let turn = 0; turn < 4; turn += 1) {
      const response = await transport.stream(requestFor(server.url));
      expect(await collectEvents(response.events)).toHaveLength(3);
    }
    // A body given up after its terminal event would cost a new socket per turn (4). undici may open
    // a second one when a request starts while the last is still being handed back to the pool.
    expect(server.requestCount()).toBe(4);
    expect(server.totalConnections()).toBeLessThanOrEqual(2);
  });

  it('fails a body that ends without a terminal event, without retrying', { timeout: 15_000 }, async () => {
    const { server, transport, delays } = await setUp((_request, response) => {
      startEventStream(response);
      response.end(sseFrame({ type: 'response.created', response: {} }));
    });
    const response = await transport.stream(requestFor(server.url));
    const { seen, error } = await drain(response.events);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({
      code: 'closed-before-completion',
      fallbackSafe: false,
      isRetryable: false,
      requestId: 'req_fault',
    });
    expect(delays).toEqual([]);
    expect(server.requestCount()).toBe(1);
  });

  it('reports an empty body as fallback-safe', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.end();
    });
    const response = await transport.stream(requestFor(server.url));
    const { seen, error } = await drain(response.events);
    expect(seen).toEqual([]);
    expect(error).toMatchObject({ code: 'closed-before-completion', fallbackSafe: true, isRetryable: true });
  });
});

describe('hostile bodies', () => {
  it('stops a gigantic single event at the buffer cap with a typed error', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp(
      (_request, response) => {
        startEventStream(response);
        response.write('data: {"type":"response.output_text.delta","delta":"');
        response.write('x'.repeat(1024 * 1024));
      },
      { maxBufferBytes: 64 * 1024 },
    );
    const response = await transport.stream(requestFor(server.url));
    const { seen, error } = await drain(response.events);
    expect(seen).toEqual([]);
    expect(error).toMatchObject({
      code: 'protocol',
      errorCode: 'buffer-limit-exceeded',
      isRetryable: false,
      fallbackSafe: true,
    });
    await expectSocketsClosed(server);
  });

  it('replaces invalid UTF-8 inside event text and fails it outside', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response, index) => {
      startEventStream(response);
      const broken = Buffer.from([0xff, 0xfe, 0xc3]);
      if (index === 0) {
        response.end(
          Buffer.concat([
            Buffer.from('data: {"type":"response.output_text.delta","delta":"a'),
            broken,
            Buffer.from('b"}\n\n'),
            Buffer.from(sseFrame({ type: 'response.completed', response: {} })),
          ]),
        );
        return;
      }
      response.end(Buffer.concat([Buffer.from('data: '), broken, Buffer.from('\n\n')]));
    });
    const first = await transport.stream(requestFor(server.url));
    const events = await collectEvents(first.events);
    expect(events[0]).toMatchObject({ type: 'response.output_text.delta' });
    const delta = (events[0] as { delta: string }).delta;
    expect(delta.startsWith('a')).toBe(true);
    expect(delta.endsWith('b')).toBe(true);
    expect(delta).toContain('\uFFFD');
    expect(events[1]?.type).toBe('response.completed');

    const second = await transport.stream(requestFor(server.url));
    const { error } = await drain(second.events);
    expect(error).toMatchObject({ code: 'protocol', errorCode: 'malformed-json' });
  });

  it('rejects a 2xx HTML answer and fails a text/plain body that has no events', {
    timeout: 15_000,
  }, async () => {
    const { server, transport } = await setUp((_request, response, index) => {
      if (index === 0) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end('<html><body>Captive portal</body></html>');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('Hello, this is not an event stream.\n');
    });
    const html = await expectTransportError(transport.stream(requestFor(server.url)));
    expect(html).toMatchObject({ code: 'protocol', status: 200, fallbackSafe: true });
    expect(html.serverMessage).toContain('Captive portal');
    const plain = await transport.stream(requestFor(server.url));
    const { seen, error } = await drain(plain.events);
    expect(seen).toEqual([]);
    expect(error).toMatchObject({ code: 'closed-before-completion', fallbackSafe: true });
  });
});

describe('idle timeout', () => {
  it('is not kept alive by SSE comments that complete no event', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp(
      (_request, response) => {
        startEventStream(response);
        response.write(sseFrame({ type: 'response.created', response: {} }));
        const trickle = setInterval(() => response.write(': keep-alive\n\n'), 20);
        response.once('close', () => clearInterval(trickle));
      },
      { idleTimeoutMs: 300 },
    );
    const response = await transport.stream(requestFor(server.url));
    const { seen, error } = await drain(response.events);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'timeout-idle', fallbackSafe: false, isRetryable: true });
    await expectSocketsClosed(server);
  });

  it('does not run while the caller is busy with an event', { timeout: 15_000 }, async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { server, transport } = await setUp(
      async (_request, response) => {
        startEventStream(response);
        response.write(sseFrame({ type: 'response.created', response: {} }));
        await gate;
        response.end(sseFrame({ type: 'response.completed', response: {} }));
      },
      { idleTimeoutMs: 1_000 },
    );
    const response = await transport.stream(requestFor(server.url));
    const iterator = response.events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response.created' });
    // The caller takes longer than idleTimeoutMs before asking for more; the server answers at once.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    release();
    expect((await iterator.next()).value).toMatchObject({ type: 'response.completed' });
  });
});

describe('secrets', () => {
  it('keeps header and URL-query tokens out of every error, even when the server echoes them', {
    timeout: 15_000,
  }, async () => {
    const { server, transport } = await setUp(
      (request, response, index) => {
        const echo = `${request.method} ${request.url} ${String(request.headers.authorization)}`;
        if (index === 0) {
          sendJsonError(
            response,
            400,
            { type: 'invalid_request_error', message: `Rejected ${echo}` },
            { 'x-request-id': QUERY_TOKEN },
          );
          return;
        }
        if (index === 1) {
          response.writeHead(200, { 'content-type': 'text/html' });
          response.end(`<pre>${echo}</pre>`);
          return;
        }
        if (index === 2) {
          startEventStream(response);
          response.end(`data: {"echo": "${echo}"\n\n`);
          return;
        }
        if (index === 3) {
          sendJsonError(response, 429, {
            type: 'usage_limit_reached',
            message: `limit for ${echo}`,
            plan_type: TEST_TOKEN,
          });
          return;
        }
        request.socket.destroy();
      },
      { maxAttempts: 1 },
    );
    const url = `${server.url}?api_key=${QUERY_TOKEN}`;
    const rejected = await expectTransportError(transport.stream(requestFor(url)));
    expect(rejected).toMatchObject({ code: 'http-status', status: 400 });
    expect(rejected.serverMessage).toContain('[redacted]');
    expectNoSecrets(rejected, SECRETS);

    const html = await expectTransportError(transport.stream(requestFor(url)));
    expect(html.code).toBe('protocol');
    expectNoSecrets(html, SECRETS);

    const malformed = await transport.stream(requestFor(url));
    const { error: protocol } = await drain(malformed.events);
    expect(protocol.errorCode).toBe('malformed-json');
    expectNoSecrets(protocol, SECRETS);

    const usage = await expectTransportError(transport.stream(requestFor(url)));
    expect(usage.code).toBe('usage-limit-reached');
    expect(usage.message).not.toContain(TEST_TOKEN);
    expect(usage.serverMessage).not.toContain(QUERY_TOKEN);

    const reset = await expectTransportError(transport.stream(requestFor(url)));
    expect(reset.code).toBe('network');
    expectNoSecrets(reset, SECRETS);
  });

  it('refuses a header value with a line break without sending, retrying or echoing it', async () => {
    const { transport, delays } = createTransport();
    for (const headers of [
      { authorization: `Bearer ${TEST_TOKEN}\r\nx-injected: 1` },
      { 'bad header': TEST_TOKEN },
    ]) {
      const error = await expectTransportError(
        transport.stream(requestFor('http://127.0.0.1:9/v1/responses', { headers })),
      );
      expect(error).toMatchObject({ code: 'invalid-request', isRetryable: false });
      expect(error.attempts).toBeUndefined();
      expectNoSecrets(error, SECRETS);
    }
    expect(delays).toEqual([]);
  });

  it('does not attach a URL holding a token to an invalid-request error', async () => {
    const { transport } = createTransport();
    const error = await expectTransportError(transport.stream(requestFor(`not a url ?key=${QUERY_TOKEN}`)));
    expect(error.code).toBe('invalid-request');
    expectNoSecrets(error, SECRETS);
  });
});

describe('connect timeout and abort at every stage', () => {
  it('times out a TLS handshake that never completes (real socket)', { timeout: 15_000 }, async () => {
    const { port } = await startSilentServer();
    const socketsBefore = countActiveResources('TCPSocketWrap');
    const { transport, delays } = createTransport({ connectTimeoutMs: 150, maxAttempts: 2 });
    const error = await expectTransportError(
      transport.stream(requestFor(`https://127.0.0.1:${port}/v1/responses`)),
    );
    expect(error).toMatchObject({
      code: 'timeout-connect',
      isRetryable: true,
      fallbackSafe: true,
      attempts: 2,
    });
    expect(delays).toHaveLength(1);
    expectNoSecrets(error, SECRETS);
    await transport.close();
    await waitForAtMost(() => countActiveResources('TCPSocketWrap'), socketsBefore);
  });

  it('aborts while connecting and leaves no socket or timer', { timeout: 15_000 }, async () => {
    const { port, sockets } = await startSilentServer();
    const socketsBefore = countActiveResources('TCPSocketWrap');
    const timersBefore = countActiveResources('Timeout');
    const { transport } = createTransport({ connectTimeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = transport.stream(
      requestFor(`https://127.0.0.1:${port}/v1/responses`, { signal: controller.signal }),
    );
    await vi.waitFor(() => expect(sockets.size).toBe(1), { timeout: 5_000 });
    controller.abort();
    const error = await expectTransportError(pending);
    expect(error).toMatchObject({ code: 'aborted', fallbackSafe: true });
    await vi.waitFor(() => expect(sockets.size).toBe(0), { timeout: 5_000 });
    await transport.close();
    await waitForAtMost(() => countActiveResources('TCPSocketWrap'), socketsBefore);
    await waitForAtMost(() => countActiveResources('Timeout'), timersBefore);
  });

  it('keeps the socket when the caller aborts after taking the terminal event, before the body ended', {
    timeout: 15_000,
  }, async () => {
    // What a gateway does: it stops reading at response.completed, then closes the conversation
    // (aborting its signal) while the end of the body is still on its way.
    let endBody: () => void = () => {};
    const { server, transport } = await setUp((_request, response, index) => {
      startEventStream(response);
      if (index > 0) {
        response.end(completeAnswer());
        return;
      }
      response.write(completeAnswer());
      endBody = () => response.end();
    });
    const outcomes: string[] = [];
    const onTrailers = (): void => {
      outcomes.push('completed');
    };
    const onError = (): void => {
      outcomes.push('aborted');
    };
    subscribe('undici:request:trailers', onTrailers);
    subscribe('undici:request:error', onError);
    onCleanup(() => {
      unsubscribe('undici:request:trailers', onTrailers);
      unsubscribe('undici:request:error', onError);
    });
    const controller = new AbortController();
    const response = await transport.stream(requestFor(server.url, { signal: controller.signal }));
    const types: string[] = [];
    for await (const event of response.events) {
      types.push(event.type);
      if (event.type === 'response.completed') break;
    }
    expect(types).toEqual(['response.created', 'response.output_text.delta', 'response.completed']);
    controller.abort();
    endBody();
    await vi.waitFor(() => expect(outcomes).toHaveLength(1), { timeout: 5_000 });
    expect(outcomes).toEqual(['completed']);
    const again = await transport.stream(requestFor(server.url));
    expect(await collectEvents(again.events)).toHaveLength(3);
    expect(server.totalConnections()).toBe(1);
  });

  it('ignores an abort after completion and keeps no listener on the signal', {
    timeout: 15_000,
  }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.end(completeAnswer());
    });
    const timersBefore = countActiveResources('Timeout');
    const controller = new AbortController();
    const response = await transport.stream(requestFor(server.url, { signal: controller.signal }));
    expect(await collectEvents(response.events)).toHaveLength(3);
    await vi.waitFor(() => expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0), {
      timeout: 5_000,
    });
    controller.abort();
    // The completed request kept its keep-alive socket; the abort did not touch it.
    expect(server.openConnections()).toBe(1);
    const again = await transport.stream(requestFor(server.url));
    expect(await collectEvents(again.events)).toHaveLength(3);
    expect(server.totalConnections()).toBeLessThanOrEqual(2);
    await transport.close();
    await expectSocketsClosed(server);
    await waitForAtMost(() => countActiveResources('Timeout'), timersBefore);
  });

  it('aborts after the terminal event while the body is still open and closes the socket at once', {
    timeout: 15_000,
  }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.write(completeAnswer());
    });
    const controller = new AbortController();
    const response = await transport.stream(requestFor(server.url, { signal: controller.signal }));
    expect(await collectEvents(response.events)).toHaveLength(3);
    controller.abort();
    await expectSocketsClosed(server);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
