import { getEventListeners } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  collectEvents,
  completeAnswer,
  countActiveResources,
  type FaultHandler,
  type FaultServer,
  recordingSleep,
  sendJsonError,
  sseFrame,
  startEventStream,
  startFaultServer,
  waitForAtMost,
} from './__fixtures__/fault-server.js';
import { createHttpTransport } from './http-transport.js';
import { HttpTransportError } from './http-transport-error.js';
import type { HttpTransport, HttpTransportOptions, TransportRequest } from './transport-types.js';

const HEADER_TOKEN = 'tok_header_secret_0123456789';
const QUERY_TOKEN = 'qsecret_0123456789abcdef';

let server: FaultServer | undefined;
let transport: HttpTransport | undefined;
let silent: { server: Server; sockets: Set<Socket> } | undefined;

afterEach(async () => {
  await transport?.close();
  await server?.close();
  if (silent !== undefined) {
    for (const socket of silent.sockets) socket.destroy();
    const closing = silent.server;
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  }
  transport = undefined;
  server = undefined;
  silent = undefined;
});

async function setUp(handler: FaultHandler, options: HttpTransportOptions = {}) {
  server = await startFaultServer(handler);
  const recorded = recordingSleep();
  transport = createHttpTransport({ sleep: recorded.sleep, random: () => 0, ...options });
  return { server, transport, delays: recorded.delays };
}

function requestFor(url: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return {
    url,
    headers: { authorization: `Bearer ${HEADER_TOKEN}` },
    body: { model: 'gpt-5.4', input: 'hi', stream: true },
    ...extra,
  };
}

async function expectTransportError(promise: Promise<unknown>): Promise<HttpTransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpTransportError);
    return error as HttpTransportError;
  }
  throw new Error('expected an HttpTransportError');
}

/** Iterates to the end and returns the events seen plus the error thrown. */
async function drain(
  events: AsyncIterable<unknown>,
): Promise<{ seen: unknown[]; error: HttpTransportError }> {
  const seen: unknown[] = [];
  const error = await expectTransportError(
    (async () => {
      for await (const event of events) seen.push(event);
    })(),
  );
  return { seen, error };
}

/** Every text an error exposes: message, fields, and the whole cause chain. */
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
  const text = everyText(error);
  expect(text).not.toContain(HEADER_TOKEN);
  expect(text).not.toContain(QUERY_TOKEN);
}

/** A TCP server on 127.0.0.1 that accepts connections and never says a word (a TLS handshake hangs). */
async function startSilentServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.resume();
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  silent = { server: tcp, sockets };
  const address = tcp.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
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
    await vi.waitFor(() => expect(server.openConnections()).toBe(0), { timeout: 5_000 });
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
    await vi.waitFor(() => expect(server.openConnections()).toBe(0), { timeout: 5_000 });
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
    await vi.waitFor(() => expect(server.openConnections()).toBe(0), { timeout: 5_000 });
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
    await vi.waitFor(() => expect(server.openConnections()).toBe(0), { timeout: 5_000 });
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
            plan_type: HEADER_TOKEN,
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
    expectNoSecrets(rejected);

    const html = await expectTransportError(transport.stream(requestFor(url)));
    expect(html.code).toBe('protocol');
    expectNoSecrets(html);

    const malformed = await transport.stream(requestFor(url));
    const { error: protocol } = await drain(malformed.events);
    expect(protocol.errorCode).toBe('malformed-json');
    expectNoSecrets(protocol);

    const usage = await expectTransportError(transport.stream(requestFor(url)));
    expect(usage.code).toBe('usage-limit-reached');
    expect(usage.message).not.toContain(HEADER_TOKEN);
    expect(usage.serverMessage).not.toContain(QUERY_TOKEN);

    const reset = await expectTransportError(transport.stream(requestFor(url)));
    expect(reset.code).toBe('network');
    expectNoSecrets(reset);
  });

  it('refuses a header value with a line break without sending, retrying or echoing it', async () => {
    const recorded = recordingSleep();
    transport = createHttpTransport({ sleep: recorded.sleep });
    for (const headers of [
      { authorization: `Bearer ${HEADER_TOKEN}\r\nx-injected: 1` },
      { 'bad header': HEADER_TOKEN },
    ]) {
      const error = await expectTransportError(
        transport.stream(requestFor('http://127.0.0.1:9/v1/responses', { headers })),
      );
      expect(error).toMatchObject({ code: 'invalid-request', isRetryable: false, attempts: undefined });
      expectNoSecrets(error);
    }
    expect(recorded.delays).toEqual([]);
  });

  it('does not attach a URL holding a token to an invalid-request error', async () => {
    transport = createHttpTransport();
    const error = await expectTransportError(transport.stream(requestFor(`not a url ?key=${QUERY_TOKEN}`)));
    expect(error.code).toBe('invalid-request');
    expectNoSecrets(error);
  });
});

describe('connect timeout and abort at every stage', () => {
  it('times out a TLS handshake that never completes (real socket)', { timeout: 15_000 }, async () => {
    const port = await startSilentServer();
    const socketsBefore = countActiveResources('TCPSocketWrap');
    const recorded = recordingSleep();
    transport = createHttpTransport({ connectTimeoutMs: 150, maxAttempts: 2, sleep: recorded.sleep });
    const error = await expectTransportError(
      transport.stream(requestFor(`https://127.0.0.1:${port}/v1/responses`)),
    );
    expect(error).toMatchObject({
      code: 'timeout-connect',
      isRetryable: true,
      fallbackSafe: true,
      attempts: 2,
    });
    expect(recorded.delays).toHaveLength(1);
    expectNoSecrets(error);
    await transport.close();
    await waitForAtMost(() => countActiveResources('TCPSocketWrap'), socketsBefore);
  });

  it('aborts while connecting and leaves no socket or timer', { timeout: 15_000 }, async () => {
    const port = await startSilentServer();
    const socketsBefore = countActiveResources('TCPSocketWrap');
    const timersBefore = countActiveResources('Timeout');
    transport = createHttpTransport({ connectTimeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = transport.stream(
      requestFor(`https://127.0.0.1:${port}/v1/responses`, { signal: controller.signal }),
    );
    await vi.waitFor(() => expect(silent?.sockets.size).toBe(1), { timeout: 5_000 });
    controller.abort();
    const error = await expectTransportError(pending);
    expect(error).toMatchObject({ code: 'aborted', fallbackSafe: true });
    await vi.waitFor(() => expect(silent?.sockets.size).toBe(0), { timeout: 5_000 });
    await transport.close();
    await waitForAtMost(() => countActiveResources('TCPSocketWrap'), socketsBefore);
    await waitForAtMost(() => countActiveResources('Timeout'), timersBefore);
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
    await vi.waitFor(() => expect(server.openConnections()).toBe(0), { timeout: 5_000 });
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
    await vi.waitFor(() => expect(server.openConnections()).toBe(0), { timeout: 5_000 });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
