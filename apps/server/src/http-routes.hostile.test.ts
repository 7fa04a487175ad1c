import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeProvider, type FakeProvider, type FakeScript } from './__fixtures__/fake-provider.js';
import { collectGarbage } from './__fixtures__/forced-garbage-collection.js';
import {
  createHeldUpstreamProvider,
  type HeldUpstreamProvider,
  type UpstreamHoldPoint,
} from './__fixtures__/held-upstream-provider.js';
import { createGatewayLogger } from './gateway-logger.js';
import type { GatewayProvider } from './gateway-provider.js';
import {
  type RunningGateway,
  type StartGatewayServerOptions,
  startGatewayServer,
} from './start-gateway-server.js';

const KEY = 'ctsk-hostile-http-routes';
let running: RunningGateway[] = [];
let sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets = [];
  await Promise.all(running.map((gateway) => gateway.close({ graceMs: 0 })));
  running = [];
});

async function start(
  provider: GatewayProvider,
  options: Partial<StartGatewayServerOptions> = {},
): Promise<RunningGateway> {
  const gateway = await startGatewayServer({
    provider,
    apiKey: KEY,
    port: 0,
    logger: createGatewayLogger({ level: 'silent' }),
    ...options,
  });
  running.push(gateway);
  return gateway;
}

async function metricValue(gateway: RunningGateway, sample: string): Promise<number | undefined> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/** A completion route and a body of its dialect. */
interface CompletionRoute {
  readonly path: string;
  body(stream: boolean): Record<string, unknown>;
}

const COMPLETION_ROUTES: readonly CompletionRoute[] = [
  {
    path: '/v1/chat/completions',
    body: (stream) => ({ model: 'gpt-5.4', stream, messages: [{ role: 'user', content: 'Hi' }] }),
  },
  { path: '/v1/responses', body: (stream) => ({ model: 'gpt-5.4', stream, input: 'Hi' }) },
  {
    path: '/v1/messages',
    body: (stream) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      stream,
      messages: [{ role: 'user', content: 'Hi' }],
    }),
  },
  {
    path: '/api/chat',
    body: (stream) => ({ model: 'gpt-5.4', stream, messages: [{ role: 'user', content: 'Hi' }] }),
  },
  { path: '/api/generate', body: (stream) => ({ model: 'gpt-5.4', stream, prompt: 'Hi' }) },
];

/** How the request body is framed: with a `Content-Length`, or chunked. */
type BodyFraming = 'content-length' | 'chunked';

/** The bytes of a POST with a JSON body, framed as asked. */
function postBytes(path: string, body: unknown, framing: BodyFraming): string {
  const json = JSON.stringify(body);
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\n`;
  if (framing === 'content-length') {
    return `${head}Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
  }
  return `${head}Transfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n`;
}

/** A raw socket to the gateway, and a promise of the gateway's side of it closing. */
async function rawConnection(
  gateway: RunningGateway,
): Promise<{ socket: Socket; serverSideClosed: Promise<void> }> {
  const serverSide = new Promise<Socket>((resolve) => gateway.server.once('connection', resolve));
  const socket = connect(gateway.port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const peer = await serverSide;
  const serverSideClosed = new Promise<void>((resolve) => peer.once('close', () => resolve()));
  return { socket, serverSideClosed };
}

/** How a client leaves: a clean close (FIN) or a reset (RST). */
const LEAVING: readonly { name: string; leave: (socket: Socket) => void }[] = [
  { name: 'closes the connection', leave: (socket) => socket.destroy() },
  { name: 'resets the connection', leave: (socket) => socket.resetAndDestroy() },
];

const PHASES: readonly { name: string; holdPoint: UpstreamHoldPoint; stream: boolean }[] = [
  { name: 'before the upstream answered (streamed)', holdPoint: 'before-answer', stream: true },
  { name: 'before the upstream answered (not streamed)', holdPoint: 'before-answer', stream: false },
  { name: 'in the middle of the stream', holdPoint: 'mid-answer', stream: true },
  { name: 'while the whole answer is collected', holdPoint: 'mid-answer', stream: false },
];

/**
 * Sends `request`, waits for the upstream to reach its hold point, runs a garbage collection, makes the
 * client leave, and checks the upstream was aborted and nothing stays in flight.
 */
async function expectLeavingAborts(
  provider: HeldUpstreamProvider,
  gateway: RunningGateway,
  request: string,
  leave: (socket: Socket) => void,
): Promise<void> {
  const { socket, serverSideClosed } = await rawConnection(gateway);
  socket.write(request);
  await provider.held();
  // A garbage collection while the request runs (as happens all the time in a busy gateway) must
  // not cut the link between the client's connection and the upstream request.
  await collectGarbage();
  expect(gateway.gateway.inFlightRequests).toBe(1);
  leave(socket);
  await serverSideClosed;
  await collectGarbage();
  expect(provider.abortedRequests).toBe(1);
  await gateway.gateway.waitForStreams();
  expect(gateway.gateway.inFlightRequests).toBe(0);
  expect(await metricValue(gateway, 'codetether_server_active_streams')).toBe(0);
}

describe.each(COMPLETION_ROUTES)('a client of $path that leaves after a garbage collection', (route) => {
  describe.each(['content-length', 'chunked'] as const)('with a %s body', (framing) => {
    describe.each(PHASES)('$name', (phase) => {
      it.each(LEAVING)('$name: the upstream is aborted and nothing stays in flight', async ({ leave }) => {
        const provider = createHeldUpstreamProvider(phase.holdPoint);
        const gateway = await start(provider);
        await expectLeavingAborts(
          provider,
          gateway,
          postBytes(route.path, route.body(phase.stream), framing),
          leave,
        );
      });
    });
  });
});

// With CORS on, streams go to the client through a web ReadableStream (middleware adds their headers)
// instead of straight to Node's response: the same links must hold there.
describe.each(COMPLETION_ROUTES)(
  'a streaming client of $path with CORS on that leaves after a garbage collection',
  (route) => {
    describe.each(PHASES.filter((phase) => phase.stream))('$name', (phase) => {
      it.each(LEAVING)('$name: the upstream is aborted and nothing stays in flight', async ({ leave }) => {
        const provider = createHeldUpstreamProvider(phase.holdPoint);
        const gateway = await start(provider, { allowedOrigins: ['https://app.example'] });
        await expectLeavingAborts(
          provider,
          gateway,
          postBytes(route.path, route.body(true), 'chunked'),
          leave,
        );
      });
    });
  },
);

// A conversation turn answers an abort with an `error` event rather than failing: when the client left
// before the upstream's first event, the gateway then starts a stream to a connection already closed.
describe.each(COMPLETION_ROUTES)(
  'a client of $path that leaves before an upstream that reports the abort answered',
  (route) => {
    it.each(LEAVING)('$name: the request ends and nothing stays in flight', async ({ leave }) => {
      const provider = createHeldUpstreamProvider('before-answer-reporting-abort');
      const gateway = await start(provider);
      await expectLeavingAborts(
        provider,
        gateway,
        postBytes(route.path, route.body(true), 'content-length'),
        leave,
      );
    });
  },
);

/** What a raw connection received so far, and a way to wait for more. */
interface RawExchange {
  readonly socket: Socket;
  /** Everything received so far. */
  text(): string;
  /** Resolves with everything received once `done` holds for it (or the connection closed). */
  until(done: (text: string) => boolean): Promise<string>;
  /** Resolves with everything received once the gateway closed the connection. */
  readonly closed: Promise<string>;
}

async function rawExchange(gateway: RunningGateway): Promise<RawExchange> {
  const { socket } = await rawConnection(gateway);
  let received = '';
  let waiters: (() => void)[] = [];
  const wake = (): void => {
    const current = waiters;
    waiters = [];
    for (const waiter of current) waiter();
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
    wake();
  });
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  void closed.then(wake);
  return {
    socket,
    text: () => received,
    async until(done) {
      while (!done(received) && !socket.destroyed)
        await new Promise<void>((resolve) => waiters.push(resolve));
      return received;
    },
    closed,
  };
}

function countOf(text: string, part: string): number {
  return text.split(part).length - 1;
}

const CHAT_HEAD = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\n`;
const CHAT_BODY = JSON.stringify({
  model: 'gpt-5.4',
  stream: true,
  messages: [{ role: 'user', content: 'Hi' }],
});
const ANSWER: FakeScript = {
  kind: 'chunks',
  chunks: [
    { type: 'text', text: 'Hello' },
    { type: 'done', finishReason: 'stop' },
  ],
};

async function startWithFake(
  scripts: FakeScript[] = [ANSWER],
): Promise<{ gateway: RunningGateway; provider: FakeProvider }> {
  const provider = createFakeProvider(scripts);
  return { gateway: await start(provider), provider };
}

describe('clients that break HTTP/1.1 framing', () => {
  it('answers pipelined requests, one of them streamed, in order on the one connection', async () => {
    const { gateway } = await startWithFake();
    const exchange = await rawExchange(gateway);
    exchange.socket.write(
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' +
        `${CHAT_HEAD}Content-Length: ${Buffer.byteLength(CHAT_BODY)}\r\n\r\n${CHAT_BODY}` +
        `GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nConnection: close\r\n\r\n`,
    );
    const text = await exchange.closed;
    expect(countOf(text, 'HTTP/1.1 200 OK')).toBe(3);
    const streamAt = text.indexOf('data: [DONE]');
    expect(streamAt).toBeGreaterThan(text.indexOf('text/event-stream'));
    expect(text.indexOf('"gpt-5.4"', streamAt)).toBeGreaterThan(streamAt);
    expect(gateway.gateway.inFlightRequests).toBe(0);
  });

  it('answers the next request on a keep-alive connection after a stream the upstream cut off', async () => {
    const cutOff: FakeScript = {
      kind: 'chunks',
      chunks: [
        { type: 'text', text: 'Hel' },
        { type: 'error', code: 'server_error', message: 'The upstream fell over.' },
      ],
    };
    const { gateway } = await startWithFake([cutOff, ANSWER]);
    const exchange = await rawExchange(gateway);
    const request = `${CHAT_HEAD}Content-Length: ${Buffer.byteLength(CHAT_BODY)}\r\n\r\n${CHAT_BODY}`;
    exchange.socket.write(request);
    // The cut-off stream ends with an error event and the chunked body's terminator.
    await exchange.until((text) => text.includes('The upstream fell over.') && text.endsWith('0\r\n\r\n'));
    exchange.socket.write(request);
    const text = await exchange.until((received) => received.includes('data: [DONE]'));
    expect(countOf(text, 'HTTP/1.1 200 OK')).toBe(2);
    expect(exchange.socket.destroyed).toBe(false);
  });

  it('answers a body sent only after `100 Continue`', async () => {
    const { gateway } = await startWithFake();
    const exchange = await rawExchange(gateway);
    exchange.socket.write(
      `${CHAT_HEAD}Expect: 100-continue\r\nContent-Length: ${Buffer.byteLength(CHAT_BODY)}\r\n\r\n`,
    );
    await exchange.until((text) => text.startsWith('HTTP/1.1 100 Continue\r\n\r\n'));
    exchange.socket.write(CHAT_BODY);
    const text = await exchange.until((received) => received.includes('data: [DONE]'));
    expect(text).toContain('HTTP/1.1 200 OK');
  });

  it('answers a chunked body with trailers', async () => {
    const { gateway } = await startWithFake();
    const exchange = await rawExchange(gateway);
    const half = Math.floor(CHAT_BODY.length / 2);
    const [first, second] = [CHAT_BODY.slice(0, half), CHAT_BODY.slice(half)];
    exchange.socket.write(
      `${CHAT_HEAD}Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n` +
        `${first.length.toString(16)}\r\n${first}\r\n${second.length.toString(16)}\r\n${second}\r\n` +
        '0\r\nX-Checksum: 1234\r\n\r\n',
    );
    const text = await exchange.until((received) => received.includes('data: [DONE]'));
    expect(text).toContain('HTTP/1.1 200 OK');
  });

  it.each([
    { name: 'a chunk size that is not hexadecimal', body: `zz\r\n${CHAT_BODY}\r\n0\r\n\r\n` },
    { name: 'a chunk longer than its size', body: `4\r\n${CHAT_BODY}\r\n0\r\n\r\n` },
  ])('refuses $name with 400 and closes, calling no upstream', async ({ body }) => {
    const { gateway, provider } = await startWithFake();
    const exchange = await rawExchange(gateway);
    exchange.socket.write(`${CHAT_HEAD}Transfer-Encoding: chunked\r\n\r\n${body}`);
    const text = await exchange.closed;
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    await gateway.gateway.waitForStreams();
    expect(provider.requests).toHaveLength(0);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('answers a body shorter than its Content-Length that the client then abandons with nothing in flight', async () => {
    const { gateway, provider } = await startWithFake();
    const { socket, serverSideClosed } = await rawConnection(gateway);
    socket.write(`${CHAT_HEAD}Content-Length: ${Buffer.byteLength(CHAT_BODY) + 100}\r\n\r\n${CHAT_BODY}`);
    // Wait until the gateway has read the head and what there is of the body.
    await new Promise<void>((resolve) => gateway.server.once('request', () => resolve()));
    socket.resetAndDestroy();
    await serverSideClosed;
    await gateway.gateway.waitForStreams();
    expect(gateway.gateway.inFlightRequests).toBe(0);
    expect(provider.requests).toHaveLength(0);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('refuses a body longer than its Content-Length (the rest is no request) with 400 and closes', async () => {
    const { gateway, provider } = await startWithFake();
    const exchange = await rawExchange(gateway);
    exchange.socket.write(
      `${CHAT_HEAD}Content-Length: ${Buffer.byteLength(CHAT_BODY) - 2}\r\n\r\n${CHAT_BODY}`,
    );
    // The two bytes past the length are parsed as the next request line: Node answers 400 and closes
    // the connection (the cut body itself is not JSON either); no upstream is called, nothing stays.
    expect(await exchange.closed).toMatch(/^HTTP\/1\.1 400 /);
    await gateway.gateway.waitForStreams();
    expect(gateway.gateway.inFlightRequests).toBe(0);
    expect(provider.requests).toHaveLength(0);
  });
});

describe('a gateway that is draining', () => {
  it('refuses a new request with 503 and lets the stream in flight finish', async () => {
    const held: FakeScript = {
      kind: 'chunks',
      chunks: [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' world' },
        { type: 'done', finishReason: 'stop' },
      ],
      holdAfter: 1,
    };
    const { gateway, provider } = await startWithFake([held]);
    const streaming = await rawExchange(gateway);
    streaming.socket.write(`${CHAT_HEAD}Content-Length: ${Buffer.byteLength(CHAT_BODY)}\r\n\r\n${CHAT_BODY}`);
    await provider.held();
    gateway.gateway.startDraining();
    const refused = await rawExchange(gateway);
    refused.socket.write(`${CHAT_HEAD}Content-Length: ${Buffer.byteLength(CHAT_BODY)}\r\n\r\n${CHAT_BODY}`);
    const refusal = await refused.until((text) => text.includes('server_shutting_down'));
    expect(refusal).toMatch(/^HTTP\/1\.1 503 /);
    expect(refusal.toLowerCase()).toContain('connection: close');
    provider.release();
    const text = await streaming.until((received) => received.includes('data: [DONE]'));
    expect(text).toContain(' world');
    await gateway.gateway.waitForStreams();
    expect(gateway.gateway.inFlightRequests).toBe(0);
  });
});
