import type { ResponsesTransport } from '@codetether/responses-protocol';
import { Agent, errors as undiciErrors } from 'undici';
import { describe, expect, it, vi } from 'vitest';
import {
  collectEvents,
  completeAnswer,
  countActiveResources,
  findClosedPort,
  sendJsonError,
  sseFrame,
  startEventStream,
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
import { createHttpTransport } from './http-transport.js';

const { setUp, createTransport, onCleanup } = useTransportHarness();

describe('streaming', () => {
  it('delivers the first event before the response ends', { timeout: 15_000 }, async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { server, transport } = await setUp(async (_request, response) => {
      startEventStream(response);
      response.write(sseFrame({ type: 'response.created', response: { id: 'resp_1' } }));
      await released;
      response.end(sseFrame({ type: 'response.completed', response: { id: 'resp_1' } }));
    });
    const response = await transport.stream(requestFor(server.url));
    expect(response.status).toBe(200);
    expect(response.requestId).toBe('req_fault');
    const iterator = response.events[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'response.created' });
    release();
    const second = await iterator.next();
    expect(second.value).toMatchObject({ type: 'response.completed' });
    expect((await iterator.next()).done).toBe(true);
  });

  it('sends the JSON body with SSE defaults and the caller headers', { timeout: 15_000 }, async () => {
    let seen: { headers: Record<string, unknown>; method?: string | undefined } | undefined;
    const { server, transport } = await setUp((request, response) => {
      seen = { headers: request.headers, method: request.method };
      startEventStream(response);
      response.end(completeAnswer());
    });
    const response = await transport.stream(
      requestFor(server.url, { headers: { 'x-custom': 'yes', Accept: '*/*' } }),
    );
    await collectEvents(response.events);
    expect(seen?.method).toBe('POST');
    expect(seen?.headers).toMatchObject({
      'content-type': 'application/json',
      accept: '*/*',
      'x-custom': 'yes',
    });
  });

  it('reuses one keep-alive socket for sequential requests', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.end(completeAnswer());
    });
    for (let turn = 0; turn < 6; turn += 1) {
      const response = await transport.stream(requestFor(server.url));
      expect(await collectEvents(response.events)).toHaveLength(3);
    }
    expect(server.requestCount()).toBe(6);
    // undici's pool may open a second socket when a request starts while the last one is being released.
    expect(server.totalConnections()).toBeLessThanOrEqual(2);
    await transport.close();
    await expectSocketsClosed(server);
  });

  it('turns a malformed event into a protocol error after the valid ones', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.end(`${sseFrame({ type: 'response.created', response: {} })}data: {not json\n\n`);
    });
    const response = await transport.stream(requestFor(server.url));
    const { seen, error } = await drain(response.events);
    expect(seen).toHaveLength(1);
    expect(error.code).toBe('protocol');
    expect(error.errorCode).toBe('malformed-json');
    expect(error.fallbackSafe).toBe(false);
    // The transport stops the stream (a skipped event could be a lost piece of the answer): its
    // message says so, and does not repeat the decoder's "skipped and the stream goes on".
    expect(error.message).toContain('not valid JSON');
    expect(error.message).toContain('"{not json"');
    expect(error.message).toMatch(/stream was stopped/);
    expect(error.message).not.toMatch(/skipped|goes on/);
  });

  it('treats data: [DONE] before a terminal event as an early end', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.end(`${sseFrame({ type: 'response.created', response: {} })}data: [DONE]\n\n`);
    });
    const response = await transport.stream(requestFor(server.url));
    const { seen, error } = await drain(response.events);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'closed-before-completion', fallbackSafe: false, status: 200 });
  });
});

describe('retries', () => {
  it('honours Retry-After in seconds on a 429', { timeout: 15_000 }, async () => {
    const { server, transport, delays } = await setUp((_request, response, index) => {
      if (index === 0) {
        sendJsonError(
          response,
          429,
          { type: 'rate_limit_exceeded', message: 'Slow down' },
          { 'retry-after': '7' },
        );
        return;
      }
      startEventStream(response);
      response.end(completeAnswer());
    });
    const response = await transport.stream(requestFor(server.url));
    expect(await collectEvents(response.events)).toHaveLength(3);
    expect(delays).toEqual([7_000]);
    expect(server.requestCount()).toBe(2);
  });

  it('honours Retry-After as an HTTP date and caps it', { timeout: 15_000 }, async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const { server, transport, delays } = await setUp(
      (_request, response, index) => {
        if (index === 0) {
          sendJsonError(
            response,
            503,
            { message: 'busy' },
            { 'retry-after': new Date(now + 5_000).toUTCString() },
          );
          return;
        }
        if (index === 1) {
          sendJsonError(response, 429, { message: 'later' }, { 'retry-after': '3600' });
          return;
        }
        startEventStream(response);
        response.end(completeAnswer());
      },
      { now: () => now, maxRetryAfterMs: 10_000 },
    );
    const response = await transport.stream(requestFor(server.url));
    await collectEvents(response.events);
    expect(delays).toEqual([5_000, 10_000]);
  });

  it.each([500, 502, 503, 504])(
    'retries a %i with exponential backoff',
    { timeout: 15_000 },
    async (status) => {
      const { server, transport, delays } = await setUp(
        (_request, response, index) => {
          if (index < 2) {
            sendJsonError(response, status, { message: 'temporary' });
            return;
          }
          startEventStream(response);
          response.end(completeAnswer());
        },
        { baseRetryDelayMs: 100, random: () => 0.5 },
      );
      const response = await transport.stream(requestFor(server.url));
      expect(await collectEvents(response.events)).toHaveLength(3);
      expect(delays).toEqual([75, 150]);
    },
  );

  it('gives up after maxAttempts with the last error', { timeout: 15_000 }, async () => {
    const retries: number[] = [];
    const { server, transport, delays } = await setUp(
      (_request, response) =>
        sendJsonError(
          response,
          500,
          { type: 'server_error', code: 'server_error', message: 'boom' },
          { 'x-request-id': 'req_500' },
        ),
      { maxAttempts: 3, onRetry: (info) => retries.push(info.attempt) },
    );
    const error = await expectTransportError(transport.stream(requestFor(server.url)));
    expect(error).toMatchObject({
      code: 'http-status',
      status: 500,
      isRetryable: true,
      fallbackSafe: true,
      serverMessage: 'boom',
      errorType: 'server_error',
      errorCode: 'server_error',
      requestId: 'req_500',
      attempts: 3,
    });
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain('req_500');
    expect(server.requestCount()).toBe(3);
    expect(delays).toHaveLength(2);
    expect(retries).toEqual([1, 2]);
  });

  it('does not retry a 400 and keeps the server message without secrets', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) =>
      sendJsonError(
        response,
        400,
        {
          type: 'invalid_request_error',
          code: 'bad_param',
          message: `Bad value; you sent Authorization: Bearer ${TEST_TOKEN}`,
        },
        { 'x-oai-request-id': 'req_oai' },
      ),
    );
    const error = await expectTransportError(transport.stream(requestFor(server.url)));
    expect(error).toMatchObject({
      code: 'http-status',
      status: 400,
      isRetryable: false,
      requestId: 'req_oai',
    });
    expect(error.serverMessage).toContain('[redacted]');
    expectNoSecrets(error);
    expect(server.requestCount()).toBe(1);
  });

  it('does not retry a quota 429 (insufficient_quota)', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) =>
      sendJsonError(response, 429, {
        type: 'insufficient_quota',
        code: 'insufficient_quota',
        message: 'No quota',
      }),
    );
    const error = await expectTransportError(transport.stream(requestFor(server.url)));
    expect(error).toMatchObject({ code: 'http-status', status: 429, isRetryable: false });
    expect(server.requestCount()).toBe(1);
  });

  it('retries a connection reset before the headers', { timeout: 15_000 }, async () => {
    const { server, transport, delays } = await setUp((request, response, index) => {
      if (index === 0) {
        request.socket.destroy();
        return;
      }
      startEventStream(response);
      response.end(completeAnswer());
    });
    const response = await transport.stream(requestFor(server.url));
    expect(await collectEvents(response.events)).toHaveLength(3);
    expect(server.requestCount()).toBe(2);
    expect(delays).toHaveLength(1);
  });

  it('retries refused connections, then fails with a network error', { timeout: 15_000 }, async () => {
    const port = await findClosedPort();
    const { transport, delays } = createTransport({ maxAttempts: 3 });
    const error = await expectTransportError(
      transport.stream(requestFor(`http://127.0.0.1:${port}/v1/responses`)),
    );
    expect(error).toMatchObject({ code: 'network', isRetryable: true, fallbackSafe: true, attempts: 3 });
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expectNoSecrets(error);
    expect(delays).toEqual([500, 1_000]);
  });

  it('never retries once output has started', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.write(sseFrame({ type: 'response.created', response: {} }));
      setImmediate(() => response.socket?.destroy());
    });
    const response = await transport.stream(requestFor(server.url));
    const { seen, error } = await drain(response.events);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({
      code: 'network',
      fallbackSafe: false,
      status: 200,
      requestId: 'req_fault',
    });
    expect(server.requestCount()).toBe(1);
  });
});

describe('timeouts', () => {
  it('fails with timeout-first-byte when no headers arrive, after retrying', {
    timeout: 15_000,
  }, async () => {
    const { server, transport } = await setUp(() => {}, { firstByteTimeoutMs: 100, maxAttempts: 2 });
    const error = await expectTransportError(transport.stream(requestFor(server.url)));
    expect(error).toMatchObject({ code: 'timeout-first-byte', isRetryable: true, attempts: 2 });
    expect(server.requestCount()).toBe(2);
    await transport.close();
    await expectSocketsClosed(server);
  });

  it('fails with timeout-idle when the stream stalls', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp(
      (_request, response) => {
        startEventStream(response);
        response.write(sseFrame({ type: 'response.created', response: {} }));
      },
      { idleTimeoutMs: 150 },
    );
    const response = await transport.stream(requestFor(server.url));
    const { seen, error } = await drain(response.events);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'timeout-idle', fallbackSafe: false, isRetryable: true });
    await expectSocketsClosed(server);
  });

  it('maps an undici connect timeout to timeout-connect', { timeout: 15_000 }, async () => {
    const dispatcher = new Agent({
      connect: (_options, callback) => {
        setImmediate(() => callback(new undiciErrors.ConnectTimeoutError(), null));
      },
    });
    onCleanup(() => dispatcher.close());
    const { transport } = createTransport({ dispatcher, maxAttempts: 1 });
    const port = await findClosedPort();
    const error = await expectTransportError(
      transport.stream(requestFor(`http://127.0.0.1:${port}/v1/responses`)),
    );
    expect(error).toMatchObject({ code: 'timeout-connect', isRetryable: true });
  });
});

describe('abort and cleanup', () => {
  it('aborts before the headers and closes the socket', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp(() => {});
    const controller = new AbortController();
    const pending = transport.stream(requestFor(server.url, { signal: controller.signal }));
    await server.waitForRequests(1);
    controller.abort();
    const error = await expectTransportError(pending);
    expect(error).toMatchObject({ code: 'aborted', isRetryable: false, fallbackSafe: true });
    await expectSocketsClosed(server);
  });

  it('aborts mid-stream, closes the socket and leaves no timers or sockets', {
    timeout: 15_000,
  }, async () => {
    const { server, transport } = await setUp(
      (_request, response) => {
        startEventStream(response);
        response.write(sseFrame({ type: 'response.created', response: {} }));
      },
      { idleTimeoutMs: 60_000, firstByteTimeoutMs: 60_000 },
    );
    const timersBefore = countActiveResources('Timeout');
    const socketsBefore = countActiveResources('TCPSocketWrap');
    const controller = new AbortController();
    const response = await transport.stream(requestFor(server.url, { signal: controller.signal }));
    const iterator = response.events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response.created' });
    const pendingNext = iterator.next();
    controller.abort();
    const error = await expectTransportError(pendingNext);
    expect(error).toMatchObject({ code: 'aborted', fallbackSafe: false });
    expect((await iterator.next()).done).toBe(true);
    await expectSocketsClosed(server);
    await transport.close();
    await vi.waitFor(
      () => {
        expect(countActiveResources('TCPSocketWrap')).toBeLessThanOrEqual(socketsBefore);
        expect(countActiveResources('Timeout')).toBeLessThanOrEqual(timersBefore);
      },
      { timeout: 5_000 },
    );
  });

  it('aborts during the backoff sleep without leaving the timer', { timeout: 15_000 }, async () => {
    const { server } = await setUp((_request, response) => sendJsonError(response, 503, { message: 'busy' }));
    const timersBefore = countActiveResources('Timeout');
    const controller = new AbortController();
    // The real backoff sleep (a timer), not the harness's recorded one.
    const transport: ResponsesTransport = createHttpTransport({
      baseRetryDelayMs: 600_000,
      maxRetryDelayMs: 600_000,
      onRetry: () => queueMicrotask(() => controller.abort()),
    });
    onCleanup(() => transport.close());
    const error = await expectTransportError(
      transport.stream(requestFor(server.url, { signal: controller.signal })),
    );
    expect(error.code).toBe('aborted');
    expect(server.requestCount()).toBe(1);
    await transport.close();
    await vi.waitFor(() => expect(countActiveResources('Timeout')).toBeLessThanOrEqual(timersBefore), {
      timeout: 5_000,
    });
  });

  it('rejects at once for an already aborted signal', async () => {
    const { transport } = createTransport();
    const error = await expectTransportError(
      transport.stream(requestFor('http://127.0.0.1:9/v1/responses', { signal: AbortSignal.abort() })),
    );
    expect(error.code).toBe('aborted');
  });

  it('closes the socket when the caller stops iterating early', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.write(sseFrame({ type: 'response.created', response: {} }));
      response.write(sseFrame({ type: 'response.in_progress', response: {} }));
    });
    const response = await transport.stream(requestFor(server.url));
    for await (const event of response.events) {
      expect(event.type).toBe('response.created');
      break;
    }
    await expectSocketsClosed(server);
  });

  it('close() stops in-flight streams and refuses new requests', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.write(sseFrame({ type: 'response.created', response: {} }));
    });
    const response = await transport.stream(requestFor(server.url));
    const iterator = response.events[Symbol.asyncIterator]();
    await iterator.next();
    const failed = expectTransportError(iterator.next());
    await transport.close();
    const error = await failed;
    expect(error.code).toBe('transport-closed');
    const refused = await expectTransportError(transport.stream(requestFor(server.url)));
    expect(refused.code).toBe('transport-closed');
    await expectSocketsClosed(server);
  });
});

describe('unexpected answers', () => {
  it('rejects a 2xx JSON answer as a protocol error', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'resp_1', object: 'response' }));
    });
    const error = await expectTransportError(transport.stream(requestFor(server.url)));
    expect(error).toMatchObject({ code: 'protocol', status: 200, isRetryable: false, fallbackSafe: true });
    expect(error.message).toContain('text/event-stream');
    expect(server.requestCount()).toBe(1);
  });

  it('releases the socket when an unread event iterator is returned', { timeout: 15_000 }, async () => {
    const { server, transport } = await setUp((_request, response) => {
      startEventStream(response);
      response.write(sseFrame({ type: 'response.created', response: {} }));
    });
    const response = await transport.stream(requestFor(server.url));
    const iterator = response.events[Symbol.asyncIterator]();
    expect(await iterator.return?.()).toMatchObject({ done: true });
    await expectSocketsClosed(server);
  });
});

describe('injected fetch', () => {
  it('streams through globalThis.fetch', { timeout: 15_000 }, async () => {
    const { server } = await setUp((_request, response) => {
      startEventStream(response);
      response.end(completeAnswer('via fetch'));
    });
    const { transport: custom } = createTransport({ fetch: globalThis.fetch });
    const response = await custom.stream(requestFor(server.url));
    const events = await collectEvents(response.events);
    expect(events[1]).toMatchObject({ delta: 'via fetch' });
  });
});

describe('invalid requests', () => {
  it('rejects a relative or non-http URL and an unserialisable body without sending', async () => {
    const { transport } = createTransport();
    for (const url of ['/v1/responses', 'ws://127.0.0.1:1/v1/responses']) {
      const error = await expectTransportError(transport.stream(requestFor(url)));
      expect(error).toMatchObject({ code: 'invalid-request', isRetryable: false });
    }
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const error = await expectTransportError(
      transport.stream(requestFor('http://127.0.0.1:1/v1/responses', { body: circular })),
    );
    expect(error.code).toBe('invalid-request');
  });
});

describe('options', () => {
  it('rejects invalid numbers', () => {
    expect(() => createHttpTransport({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => createHttpTransport({ idleTimeoutMs: -1 })).toThrow(RangeError);
  });
});
