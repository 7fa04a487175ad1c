import type { Socket } from 'node:net';
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { collectEvents, completeAnswer, sseFrame } from './__fixtures__/fault-server.js';
import {
  authorizationLineOf,
  type RawRequestHandler,
  startRawUpstream,
} from './__fixtures__/raw-upstream.js';
import {
  drain,
  expectNoSecrets,
  expectTransportError,
  requestFor,
  TEST_TOKEN,
  useTransportHarness,
} from './__fixtures__/transport-harness.js';

const { createTransport, onCleanup } = useTransportHarness();

/** A raw upstream playing `handler`, closed after the test, and a transport that tries once. */
async function setUpRaw(handler: RawRequestHandler) {
  const upstream = await startRawUpstream(handler);
  onCleanup(() => upstream.close());
  return { upstream, ...createTransport({ maxAttempts: 1 }) };
}

/** A 200 event-stream head with `content-encoding` and the length of `body`, then `body`. */
function encodedAnswer(encoding: string, body: Buffer): Buffer {
  const head = `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-encoding: ${encoding}\r\ncontent-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

/** Starts a chunked gzip event stream, sends `text` in it (flushed) and leaves the body open. */
function startOpenGzipStream(socket: Socket, text: string): void {
  socket.write(
    'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n',
  );
  const gzip = createGzip();
  gzip.on('data', (chunk: Buffer) => {
    socket.write(`${chunk.length.toString(16)}\r\n`);
    socket.write(chunk);
    socket.write('\r\n');
  });
  gzip.write(text);
  gzip.flush();
}

describe('a malformed HTTP answer that echoes the request', () => {
  it('keeps the token out of the cause when the status line is not HTTP', async () => {
    const { upstream, transport } = await setUpRaw((socket, head) => {
      socket.end(`HTTQ/9 broken ${authorizationLineOf(head)}\r\n\r\n`);
    });
    const error = await expectTransportError(transport.stream(requestFor(upstream.url)));
    expect(error.code).toBe('network');
    expect(error.message).toContain('not valid HTTP/1.1');
    expect(error.message).not.toContain('Could not reach');
    expect(error.serverReply).toBe('not-http');
    expectNoSecrets(error);
  });

  it('says the server closed the connection without answering (not that it could not be reached)', async () => {
    const { upstream, transport } = await setUpRaw((socket) => {
      socket.destroy();
    });
    const error = await expectTransportError(transport.stream(requestFor(upstream.url)));
    expect(error.code).toBe('network');
    expect(error.serverReply).toBe('closed-without-answer');
    expect(error.message).toContain('closed the connection without answering');
    expect(error.message).not.toContain('Could not reach');
  });

  it('keeps the token out of the cause when a header line is malformed', async () => {
    const { upstream, transport } = await setUpRaw((socket, head) => {
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nbroken ${authorizationLineOf(head)}\r\n\r\n`,
      );
    });
    const error = await expectTransportError(transport.stream(requestFor(upstream.url)));
    expect(error.code).toBe('network');
    expectNoSecrets(error);
  });

  it('keeps the token out of the cause when a chunk size is malformed mid-stream', async () => {
    const { upstream, transport } = await setUpRaw((socket, head) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n',
      );
      socket.write(`zz${authorizationLineOf(head)}\r\n`);
    });
    const response = await transport.stream(requestFor(upstream.url));
    const { seen, error } = await drain(response.events);
    expect(seen).toEqual([]);
    expect(error.code).toBe('network');
    expect(error.message).toContain('not valid HTTP/1.1');
    expectNoSecrets(error);
    expect(JSON.stringify(error.cause)).not.toContain(TEST_TOKEN);
  });
});

describe('an unexpected interim answer', () => {
  it('reports an unsolicited 100 Continue as an answer that is not valid HTTP, not as unreachable', async () => {
    const { upstream, transport } = await setUpRaw((socket) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      socket.write(encodedAnswer('identity', Buffer.from(completeAnswer())));
    });
    const error = await expectTransportError(transport.stream(requestFor(upstream.url)));
    expect(error.code).toBe('network');
    expect(error.message).toContain('not valid HTTP/1.1');
    expect(error.message).not.toContain('Could not reach');
  });
});

describe('a compressed answer (no Accept-Encoding was sent, so any coding is allowed)', () => {
  const encoders: Array<[string, (input: Buffer) => Buffer]> = [
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ];
  for (const [encoding, encode] of encoders) {
    it(`decodes a ${encoding} event stream`, async () => {
      const { upstream, transport } = await setUpRaw((socket) => {
        socket.write(encodedAnswer(encoding, encode(Buffer.from(completeAnswer('zipped')))));
      });
      const response = await transport.stream(requestFor(upstream.url));
      const events = await collectEvents(response.events);
      expect(events.map((event) => event.type)).toEqual([
        'response.created',
        'response.output_text.delta',
        'response.completed',
      ]);
    });
  }

  it('keeps the keep-alive socket after a gzip stream that ended', async () => {
    const { upstream, transport } = await setUpRaw((socket) => {
      socket.write(encodedAnswer('gzip', gzipSync(Buffer.from(completeAnswer()))));
    });
    for (let turn = 0; turn < 2; turn += 1) {
      const response = await transport.stream(requestFor(upstream.url));
      expect(await collectEvents(response.events)).toHaveLength(3);
    }
    expect(upstream.connectionCount()).toBe(1);
  });

  it('closes the socket when the caller aborts a gzip stream midway', async () => {
    const { upstream, transport } = await setUpRaw((socket) => {
      startOpenGzipStream(socket, sseFrame({ type: 'response.created', response: { id: 'resp_1' } }));
    });
    const controller = new AbortController();
    const response = await transport.stream(requestFor(upstream.url, { signal: controller.signal }));
    const iterator = response.events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response.created' });
    const pending = iterator.next();
    controller.abort();
    const error = await expectTransportError(pending);
    expect(error.code).toBe('aborted');
    await vi.waitFor(() => expect(upstream.openConnections()).toBe(0), { timeout: 5_000 });
  });

  it('asks for an uncompressed stream unless the caller chose a coding', async () => {
    const seen: string[] = [];
    const { upstream, transport } = await setUpRaw((socket, head) => {
      seen.push(/\r\naccept-encoding: *([^\r]*)/i.exec(head)?.[1] ?? '(none)');
      socket.write(encodedAnswer('identity', Buffer.from(completeAnswer())));
    });
    await collectEvents((await transport.stream(requestFor(upstream.url))).events);
    const chosen = requestFor(upstream.url, { headers: { 'Accept-Encoding': 'gzip' } });
    await collectEvents((await transport.stream(chosen)).events);
    expect(seen).toEqual(['identity', 'gzip']);
  });

  it('ends at the terminal event of a gzip stream that never ends, and closes its socket', async () => {
    const { upstream, transport } = await setUpRaw((socket) => {
      startOpenGzipStream(socket, completeAnswer());
    });
    const response = await transport.stream(requestFor(upstream.url));
    expect(await collectEvents(response.events)).toHaveLength(3);
    await vi.waitFor(() => expect(upstream.openConnections()).toBe(0), { timeout: 5_000 });
  });

  it('decodes two stacked codings, applied in order', async () => {
    const { upstream, transport } = await setUpRaw((socket) => {
      const body = brotliCompressSync(gzipSync(Buffer.from(completeAnswer())));
      socket.write(encodedAnswer('gzip, br', body));
    });
    const response = await transport.stream(requestFor(upstream.url));
    expect(await collectEvents(response.events)).toHaveLength(3);
  });

  it('decodes a compressed error body for the error message', async () => {
    const { upstream, transport } = await setUpRaw((socket) => {
      const body = gzipSync(Buffer.from(JSON.stringify({ error: { message: 'The model is unknown.' } })));
      socket.write(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: ${body.length}\r\n\r\n`,
      );
      socket.write(body);
    });
    const error = await expectTransportError(transport.stream(requestFor(upstream.url)));
    expect(error.code).toBe('http-status');
    expect(error.serverMessage).toBe('The model is unknown.');
  });

  it('fails a corrupt gzip body with a protocol error that says so', async () => {
    const { upstream, transport } = await setUpRaw((socket) => {
      socket.write(encodedAnswer('gzip', Buffer.from('this is not gzip at all')));
    });
    const response = await transport.stream(requestFor(upstream.url));
    const { error } = await drain(response.events);
    expect(error.code).toBe('protocol');
    expect(error.message).toContain('gzip');
    expect(error.isRetryable).toBe(false);
  });

  it('refuses a coding it cannot decode with a typed error, without retrying', async () => {
    const { upstream } = await setUpRaw((socket) => {
      socket.write(encodedAnswer('compress', Buffer.from('whatever')));
    });
    const { transport } = createTransport({ maxAttempts: 3 });
    const error = await expectTransportError(transport.stream(requestFor(upstream.url)));
    expect(error.code).toBe('protocol');
    expect(error.message).toContain('compress');
    expect(error.status).toBe(200);
    expect(upstream.requestCount()).toBe(1);
  });
});

describe('an error body the failure reader chokes on', () => {
  it('reports a usage-limit 429 whose reset time no Date can hold as a usage limit without a reset time', async () => {
    const { upstream, transport } = await setUpRaw((socket) => {
      const body = JSON.stringify({
        error: { type: 'usage_limit_reached', message: 'Limit.', resets_at: 1e300 },
      });
      socket.write(
        `HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    const error = await expectTransportError(transport.stream(requestFor(upstream.url)));
    expect(error.code).toBe('usage-limit-reached');
    expect(error.status).toBe(429);
    expect(error.resetsAt).toBeUndefined();
    expect(error.message).not.toContain('failed unexpectedly');
  });
});

describe('a redirect to another origin', () => {
  /** An upstream that answers every request with `status` pointing at `target`. */
  async function startRedirecting(status: number, target: string) {
    const upstream = await startRawUpstream((socket) => {
      socket.write(`HTTP/1.1 ${status} Moved\r\nlocation: ${target}\r\ncontent-length: 0\r\n\r\n`);
    });
    onCleanup(() => upstream.close());
    return upstream;
  }

  it('is not followed by an injected fetch, so no credential header reaches the other origin', async () => {
    const target = await startRawUpstream((socket) => {
      socket.write(encodedAnswer('identity', Buffer.from(completeAnswer())));
    });
    onCleanup(() => target.close());
    const upstream = await startRedirecting(307, target.url);
    const { transport } = createTransport({ fetch: globalThis.fetch, maxAttempts: 1 });
    const request = requestFor(upstream.url, {
      headers: { 'x-api-key': TEST_TOKEN, 'chatgpt-account-id': 'acct_1' },
    });
    const error = await expectTransportError(transport.stream(request));
    expect(error.code).toBe('http-status');
    expect(error.status).toBe(307);
    expect(target.requestCount()).toBe(0);
  });

  it('names where it points instead of advising to try again later', async () => {
    const upstream = await startRedirecting(301, 'https://elsewhere.example/v1/responses?token=abc');
    const { transport } = createTransport({ maxAttempts: 3 });
    const error = await expectTransportError(transport.stream(requestFor(upstream.url)));
    expect(error.code).toBe('http-status');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('https://elsewhere.example/v1/responses');
    expect(error.message).not.toContain('token=abc');
    expect(error.message).not.toContain('Try again later');
    expect(upstream.requestCount()).toBe(1);
  });
});
