import { describe, expect, it } from 'vitest';
import { completeAnswer } from './__fixtures__/fault-server.js';
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

describe('a malformed HTTP answer that echoes the request', () => {
  it('keeps the token out of the cause when the status line is not HTTP', async () => {
    const { upstream, transport } = await setUpRaw((socket, head) => {
      socket.end(`HTTQ/9 broken ${authorizationLineOf(head)}\r\n\r\n`);
    });
    const error = await expectTransportError(transport.stream(requestFor(upstream.url)));
    expect(error.code).toBe('network');
    expect(error.message).toContain('not valid HTTP/1.1');
    expect(error.message).not.toContain('Could not reach');
    expectNoSecrets(error);
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
