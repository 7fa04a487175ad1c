import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeProvider } from './__fixtures__/fake-provider.js';
import {
  OPCODES,
  openRawWebSocket,
  type RawWebSocketPeer,
  rawFrame,
} from './__fixtures__/raw-websocket-peer.js';
import {
  createStreamedResponseProvider,
  type StreamedResponseProvider,
  type StreamedResponseScript,
} from './__fixtures__/streamed-response-provider.js';
import { type ClientKeyStore, hashClientKey } from './client-key-store.js';
import { createGatewayLogger } from './gateway-logger.js';
import {
  type RunningGateway,
  type StartGatewayServerOptions,
  startGatewayServer,
} from './start-gateway-server.js';

// The tests run `gc()` themselves (see collectGarbage): a WeakRef that should have been a strong one
// loses its target only when a collection runs.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const KEY = 'ctsk-hostile-websocket';
const MAX_FRAME_BYTES = 4_096;
let running: RunningGateway[] = [];
/** Errors nothing caught (an 'error' event nobody listens to ends the gateway's process). */
let uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => {
  uncaught.push(error);
};

beforeEach(() => {
  uncaught = [];
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterEach(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  await Promise.all(running.map((gateway) => gateway.close({ graceMs: 0 })));
  running = [];
});

async function start(options: Partial<StartGatewayServerOptions> = {}): Promise<RunningGateway> {
  const provider = createFakeProvider();
  provider.responseEvents = [
    { type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } },
    { type: 'response.output_text.delta', delta: 'Hi' },
    { type: 'response.completed', response: { id: 'resp_1', status: 'completed', output: [] } },
  ];
  const gateway = await startGatewayServer({
    provider,
    apiKey: KEY,
    port: 0,
    maxBodyBytes: MAX_FRAME_BYTES,
    logger: createGatewayLogger({ level: 'silent' }),
    ...options,
  });
  running.push(gateway);
  return gateway;
}

/** A `response.create` text frame the fake provider answers. */
const RESPONSE_CREATE = rawFrame(
  OPCODES.text,
  JSON.stringify({ type: 'response.create', model: 'gpt-5.4', input: 'hi' }),
);

/** Frames a broken or hostile client sends, each with the close code RFC 6455 gives it. */
const MALFORMED_FRAMES: readonly { name: string; bytes: Buffer; closeCode: number }[] = [
  {
    name: 'a text frame that is not UTF-8',
    bytes: rawFrame(OPCODES.text, Buffer.from([0x7b, 0xff, 0xfe])),
    closeCode: 1007,
  },
  {
    name: 'a text frame above the size limit',
    bytes: rawFrame(OPCODES.text, 'x'.repeat(MAX_FRAME_BYTES + 1)),
    closeCode: 1009,
  },
  {
    name: 'fragments adding up to more than the size limit',
    bytes: Buffer.concat([
      rawFrame(OPCODES.text, 'x'.repeat(MAX_FRAME_BYTES - 10), { fin: false }),
      rawFrame(OPCODES.continuation, 'x'.repeat(20)),
    ]),
    closeCode: 1009,
  },
  { name: 'an unmasked frame', bytes: rawFrame(OPCODES.text, '{}', { masked: false }), closeCode: 1002 },
  { name: 'a reserved opcode', bytes: rawFrame(0x3, 'x'), closeCode: 1002 },
  {
    name: 'RSV1 set without an extension',
    bytes: rawFrame(OPCODES.text, '{}', { reservedBits: 0b100 }),
    closeCode: 1002,
  },
  { name: 'a ping above 125 bytes', bytes: rawFrame(OPCODES.ping, 'p'.repeat(126)), closeCode: 1002 },
  { name: 'a fragmented ping', bytes: rawFrame(OPCODES.ping, 'p', { fin: false }), closeCode: 1002 },
  {
    name: 'a continuation frame with no message to continue',
    bytes: rawFrame(OPCODES.continuation, 'x'),
    closeCode: 1002,
  },
  {
    name: 'a new text frame in the middle of a fragmented one',
    bytes: Buffer.concat([rawFrame(OPCODES.text, '{"type":', { fin: false }), rawFrame(OPCODES.text, '{}')]),
    closeCode: 1002,
  },
  {
    name: 'a close frame with a one-byte payload',
    bytes: rawFrame(OPCODES.close, Buffer.from([0x03])),
    closeCode: 1002,
  },
  {
    name: 'a close frame with code 1005 (never sent)',
    bytes: rawFrame(OPCODES.close, Buffer.from([0x03, 0xed])),
    closeCode: 1002,
  },
  {
    name: 'a close frame whose reason is not UTF-8',
    bytes: rawFrame(OPCODES.close, Buffer.from([0x03, 0xe8, 0xff])),
    closeCode: 1007,
  },
];

describe('frames that break the WebSocket protocol', () => {
  it.each(MALFORMED_FRAMES)(
    'closes the socket on $name with its close code, and goes on serving',
    async ({ bytes, closeCode }) => {
      const gateway = await start();
      const peer = await openRawWebSocket(gateway.port, `Bearer ${KEY}`);
      peer.socket.write(bytes);
      expect(await peer.closeCode()).toBe(closeCode);
      peer.socket.end();
      await peer.closed;
      // The gateway is still there and answers the next socket.
      const next = await openRawWebSocket(gateway.port, `Bearer ${KEY}`);
      next.socket.write(RESPONSE_CREATE);
      await next.eventOf('response.completed');
      next.socket.destroy();
      expect(uncaught).toEqual([]);
    },
    15_000,
  );
});

/** Starts a gateway over a {@link createStreamedResponseProvider}. */
async function startStreamed(
  script: StreamedResponseScript,
): Promise<{ gateway: RunningGateway; provider: StreamedResponseProvider }> {
  const provider = createStreamedResponseProvider(script);
  return { gateway: await start({ provider }), provider };
}

/** Opens a raw WebSocket on `gateway`; resolves with it and the gateway's side of its TCP connection. */
async function openPeerWithConnection(
  gateway: RunningGateway,
  authorization = `Bearer ${KEY}`,
): Promise<{ peer: RawWebSocketPeer; connection: Socket }> {
  const accepted = new Promise<Socket>((resolve) => gateway.server.once('connection', resolve));
  const peer = await openRawWebSocket(gateway.port, authorization);
  return { peer, connection: await accepted };
}

describe('a client that stops reading a streamed answer', () => {
  it('is answered only as fast as it reads: the gateway does not buffer the whole answer', async () => {
    // 64 MiB of deltas: far more than the kernel's socket buffers hold.
    const { gateway, provider } = await startStreamed({
      deltas: 2_048,
      deltaText: 'x'.repeat(32_768),
    });
    const { peer, connection } = await openPeerWithConnection(gateway);
    // The client sends its response.create, then reads nothing more.
    peer.socket.pause();
    peer.socket.write(RESPONSE_CREATE);
    // Either the gateway reads the whole answer ahead of the client (the defect), or it waits for its
    // socket to drain, as the HTTP routes do.
    await expect
      .poll(() => provider.readToEnd || connection.listenerCount('drain') > 0, { timeout: 10_000 })
      .toBe(true);
    expect(provider.readToEnd).toBe(false);
    expect(connection.writableLength).toBeLessThan(1_048_576);
    // Once the client reads again, the whole answer arrives.
    peer.socket.resume();
    await peer.eventOf('response.completed');
    expect(peer.events().filter((event) => event.type === 'response.output_text.delta')).toHaveLength(2_048);
    peer.socket.destroy();
    await expect.poll(() => gateway.gateway.inFlightRequests).toBe(0);
  }, 30_000);
});

describe('a client that breaks the protocol and then holds its connection open', () => {
  it.each([
    { name: 'a text frame that is not JSON', bytes: rawFrame(OPCODES.text, 'not json'), closeCode: 1007 },
    { name: 'a binary frame', bytes: rawFrame(OPCODES.binary, '{}'), closeCode: 1003 },
    { name: 'JSON that is not an object', bytes: rawFrame(OPCODES.text, '[]'), closeCode: 1008 },
  ])(
    'is cut off after the close handshake grace on $name, not after ws’s 30 s close timeout',
    async ({ bytes, closeCode }) => {
      const gateway = await start();
      const { peer, connection } = await openPeerWithConnection(gateway);
      // A frame the gateway refuses, then nothing: the raw peer never answers the close frame nor
      // closes its end.
      peer.socket.write(bytes);
      expect(await peer.closeCode()).toBe(closeCode);
      const started = performance.now();
      await Promise.race([
        once(connection, 'close'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 8 s')), 8_000)),
      ]);
      expect(performance.now() - started).toBeLessThan(8_000);
      peer.socket.destroy();
      expect(uncaught).toEqual([]);
    },
    15_000,
  );
});

describe('shutting down with clients that do not play along', () => {
  it('closes a socket whose client never answers the close frame, without waiting for the 30 s close timeout', async () => {
    const gateway = await start();
    const peer = await openRawWebSocket(gateway.port, `Bearer ${KEY}`);
    // The raw peer reads, but never answers the gateway's close frame (nor closes its end).
    await gateway.close({ graceMs: 0 });
    expect(await peer.closeCode()).toBe(1001);
    await peer.closed;
  }, 10_000);

  it('closes a socket whose client stopped reading in the middle of an answer', async () => {
    const { gateway, provider } = await startStreamed({ deltas: 2_048, deltaText: 'x'.repeat(32_768) });
    const peer = await openRawWebSocket(gateway.port, `Bearer ${KEY}`);
    peer.socket.pause();
    peer.socket.write(RESPONSE_CREATE);
    await expect.poll(() => provider.eventsTaken).toBeGreaterThan(1);
    await gateway.close({ graceMs: 0 });
    await provider.aborted();
    // What the gateway sent before it cut the connection off is still there to read, then the end.
    peer.socket.resume();
    await peer.closed;
    expect(gateway.gateway.inFlightRequests).toBe(0);
  }, 10_000);
});

/** Runs a full garbage collection, twice, with a turn of the event loop after each (finalizers run). */
async function collectGarbage(): Promise<void> {
  for (let round = 0; round < 2; round += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('a client that goes away in the middle of a response', () => {
  const leaving: readonly { name: string; leave: (peer: RawWebSocketPeer) => void }[] = [
    { name: 'resets the connection', leave: (peer) => peer.socket.resetAndDestroy() },
    { name: 'half-closes it (FIN, no close frame)', leave: (peer) => peer.socket.end() },
    {
      name: 'sends a close frame and keeps the connection open',
      leave: (peer) => peer.socket.write(rawFrame(OPCODES.close, Buffer.from([0x03, 0xe8]))),
    },
    {
      name: 'sends a close frame with an application code and closes',
      leave: (peer) => peer.socket.end(rawFrame(OPCODES.close, Buffer.from([0x0f, 0xa0, 0x62, 0x79, 0x65]))),
    },
  ];
  it.each(leaving)(
    'aborts the upstream request and counts nothing in flight when it $name',
    async ({ leave }) => {
      const { gateway, provider } = await startStreamed({ deltas: 10, deltaText: 'x', stallAfter: 2 });
      const peer = await openRawWebSocket(gateway.port, `Bearer ${KEY}`);
      peer.socket.write(RESPONSE_CREATE);
      await provider.stalled();
      // A garbage collection while the response runs (as happens all the time in a busy gateway) must
      // not cut the link between the client's socket and the upstream request.
      await collectGarbage();
      expect(gateway.gateway.inFlightRequests).toBe(1);
      // A streaming response, as an HTTP one is.
      expect(await metricValue(gateway, 'codetether_server_active_streams')).toBe(1);
      leave(peer);
      await provider.aborted();
      await expect.poll(() => gateway.gateway.inFlightRequests).toBe(0);
      expect(await metricValue(gateway, 'codetether_server_active_streams')).toBe(0);
      peer.socket.destroy();
    },
    10_000,
  );
});

describe('many response.creates in one burst', () => {
  it('answers the first and refuses each of the others with response_already_in_flight', async () => {
    const { gateway, provider } = await startStreamed({ deltas: 10, deltaText: 'x', stallAfter: 2 });
    const peer = await openRawWebSocket(gateway.port, `Bearer ${KEY}`);
    peer.socket.write(Buffer.concat(Array.from({ length: 50 }, () => RESPONSE_CREATE)));
    await provider.stalled();
    await expect.poll(() => peer.events().filter((event) => event.type === 'error').length).toBe(49);
    expect(
      peer
        .events()
        .filter((event) => event.type === 'error')
        .every((event) => (event.error as { code?: string }).code === 'response_already_in_flight'),
    ).toBe(true);
    expect(gateway.gateway.inFlightRequests).toBe(1);
    peer.socket.destroy();
    await provider.aborted();
    await expect.poll(() => gateway.gateway.inFlightRequests).toBe(0);
  }, 10_000);
});

/** The value of a sample of the gateway's `/metrics`. */
async function metricValue(gateway: RunningGateway, sample: string): Promise<number | undefined> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe('a client that floods the socket while it reads nothing', () => {
  /** Writes `frame` again and again (64 MiB in all) until the gateway stops taking them or closes. */
  function flood(peer: RawWebSocketPeer, frame: Buffer): { done: () => boolean } {
    const burst = Buffer.concat(Array.from({ length: Math.ceil(1_048_576 / frame.length) }, () => frame));
    let written = 0;
    const writeMore = (): void => {
      while (written < 64 && !peer.socket.destroyed) {
        written += 1;
        if (!peer.socket.write(burst)) {
          peer.socket.once('drain', writeMore);
          return;
        }
      }
    };
    writeMore();
    return { done: () => written === 64 && peer.socket.writableLength === 0 };
  }

  it('stops reading refused response.creates while their error events wait to be sent', async () => {
    const gateway = await start();
    const { peer, connection } = await openPeerWithConnection(gateway);
    peer.socket.pause();
    // Each answered with an error event of ~250 bytes: 64 MiB of them would queue about 250 MiB.
    const sent = flood(
      peer,
      rawFrame(OPCODES.text, JSON.stringify({ type: 'response.create', input: 'no model' })),
    );
    // Either the gateway read all of them, queueing every answer (the defect), or it stopped reading
    // until its answers drain.
    await expect
      .poll(() => sent.done() || (connection.isPaused() && connection.writableNeedDrain), { timeout: 20_000 })
      .toBe(true);
    expect(connection.writableLength).toBeLessThan(4 * 1_048_576);
    peer.socket.destroy();
  }, 30_000);

  it('cuts off a client that floods pings it does not read the pongs of (ws’s own limit)', async () => {
    const gateway = await start();
    const { peer, connection } = await openPeerWithConnection(gateway);
    const connectionClosed = new Promise((resolve) => connection.once('close', resolve));
    peer.socket.pause();
    flood(peer, rawFrame(OPCODES.ping, 'p'.repeat(125)));
    await connectionClosed;
    expect(uncaught).toEqual([]);
    peer.socket.destroy();
  }, 30_000);
});

describe('a client that goes away while its key is checked', () => {
  it('sends nothing upstream for its response.create', async () => {
    const clientKey = 'ctsk-slow-store-client';
    /** Holds the store's next read until released (the key check of the response.create). */
    let held: Promise<void> | undefined;
    let release: () => void = () => {};
    let notifyRead: () => void = () => {};
    const heldReadStarted = new Promise<void>((resolve) => {
      notifyRead = resolve;
    });
    const store: ClientKeyStore = {
      async load() {
        if (held !== undefined) {
          notifyRead();
          await held;
        }
        return [{ name: 'slow', hash: hashClientKey(clientKey), createdAt: '2026-01-01T00:00:00.000Z' }];
      },
      create: () => Promise.reject(new Error('read-only store')),
      revoke: () => Promise.reject(new Error('read-only store')),
    };
    const provider = createStreamedResponseProvider({ deltas: 10, deltaText: 'x', stallAfter: 2 });
    const gateway = await start({ provider, clientKeys: { store } });
    const { peer, connection } = await openPeerWithConnection(gateway, `Bearer ${clientKey}`);
    held = new Promise<void>((resolve) => {
      release = resolve;
    });
    peer.socket.write(RESPONSE_CREATE);
    await heldReadStarted;
    // The client resets the connection while its key is still being checked.
    const connectionClosed = new Promise((resolve) => connection.once('close', resolve));
    peer.socket.resetAndDestroy();
    await connectionClosed;
    release();
    // The response.create ends (a line of the request log and the metrics) without reaching the upstream.
    await expect
      .poll(() =>
        metricValue(
          gateway,
          'codetether_server_requests_total{method="response.create",route="/v1/responses",status="200"}',
        ),
      )
      .toBe(1);
    expect(provider.eventsTaken).toBe(0);
    expect(gateway.gateway.inFlightRequests).toBe(0);
  }, 10_000);
});

describe('upgrade requests that break the WebSocket handshake', () => {
  /** Sends `head` (an upgrade request with a good key) on a raw connection; resolves with the whole answer. */
  async function upgradeAnswer(gateway: RunningGateway, head: string): Promise<string> {
    const socket = connect(gateway.port, '127.0.0.1');
    socket.on('error', () => {});
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`${head}Host: localhost\r\nAuthorization: Bearer ${KEY}\r\n\r\n`);
    await closed;
    return text;
  }
  const handshake = 'Connection: Upgrade\r\nUpgrade: websocket\r\n';
  const goodKey = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
  it.each([
    {
      name: 'a Sec-WebSocket-Key that is not 16 bytes of base64',
      head: `GET /v1/responses HTTP/1.1\r\n${handshake}Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: abc\r\n`,
      status: 400,
    },
    {
      name: 'no Sec-WebSocket-Key',
      head: `GET /v1/responses HTTP/1.1\r\n${handshake}Sec-WebSocket-Version: 13\r\n`,
      status: 400,
    },
    {
      name: 'an unsupported Sec-WebSocket-Version',
      head: `GET /v1/responses HTTP/1.1\r\n${handshake}Sec-WebSocket-Version: 12\r\n${goodKey}`,
      status: 400,
    },
    {
      name: 'a malformed Sec-WebSocket-Protocol',
      head: `GET /v1/responses HTTP/1.1\r\n${handshake}Sec-WebSocket-Version: 13\r\n${goodKey}Sec-WebSocket-Protocol: a,,b\r\n`,
      status: 400,
    },
    {
      name: 'a POST',
      head: `POST /v1/responses HTTP/1.1\r\n${handshake}Sec-WebSocket-Version: 13\r\n${goodKey}Content-Length: 0\r\n`,
      status: 405,
    },
  ])('answers $name with an OpenAI error ($status), counted as a request', async ({ head, status }) => {
    const gateway = await start();
    const answer = await upgradeAnswer(gateway, head);
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };
    expect(body.error.code).toBe(status === 405 ? 'method_not_allowed' : 'invalid_websocket_handshake');
    expect(
      await metricValue(
        gateway,
        `codetether_server_requests_total{method="${head.slice(0, head.indexOf(' '))}",route="/v1/responses",status="${status}"}`,
      ),
    ).toBe(1);
    expect(uncaught).toEqual([]);
  });
});

describe('upgrades on a connection that served HTTP first, and the HTTP timeouts', () => {
  it('opens a socket on a keep-alive connection after an HTTP request, and the socket outlives the request and keep-alive timeouts', async () => {
    const gateway = await start({ headersTimeoutMs: 300, requestTimeoutMs: 500, keepAliveTimeoutMs: 400 });
    const socket = connect(gateway.port, '127.0.0.1');
    socket.on('error', () => {});
    let text = '';
    socket.setEncoding('latin1');
    const received = (pattern: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(text)) return;
          socket.off('data', onData);
          resolve();
        };
        const onData = (chunk: string): void => {
          text += chunk;
          check();
        };
        socket.on('data', onData);
        socket.once('close', () => reject(new Error(`closed after: ${text}`)));
        check();
      });
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await received(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\n[\s\S]*\}/);
    socket.write(
      `GET /v1/responses HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${KEY}\r\n\r\n`,
    );
    await received(/HTTP\/1\.1 101 /);
    // Longer than every HTTP timeout (checked each second): none of them applies to an open socket.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    socket.write(RESPONSE_CREATE);
    await received(/response\.completed/);
    socket.destroy();
  }, 15_000);
});

describe('frames in the middle of a response', () => {
  it('aborts the response upstream at once when the client breaks the protocol, without waiting for its close frame', async () => {
    const { gateway, provider } = await startStreamed({ deltas: 10, deltaText: 'x', stallAfter: 2 });
    const peer = await openRawWebSocket(gateway.port, `Bearer ${KEY}`);
    peer.socket.write(RESPONSE_CREATE);
    await provider.stalled();
    // A frame that is not UTF-8; the raw peer never answers the gateway's close frame (ws waits 30 s for it).
    peer.socket.write(rawFrame(OPCODES.text, Buffer.from([0xff])));
    expect(await peer.closeCode()).toBe(1007);
    await provider.aborted();
    await expect.poll(() => gateway.gateway.inFlightRequests).toBe(0);
    peer.socket.destroy();
  }, 10_000);

  it('answers a response.create sent in fragments with pings and pongs between them', async () => {
    const gateway = await start();
    const peer = await openRawWebSocket(gateway.port, `Bearer ${KEY}`);
    const text = JSON.stringify({ type: 'response.create', model: 'gpt-5.4', input: 'hi' });
    const parts = [text.slice(0, 5), text.slice(5, 20), text.slice(20)];
    peer.socket.write(
      Buffer.concat([
        rawFrame(OPCODES.text, parts[0] ?? '', { fin: false }),
        rawFrame(OPCODES.ping, 'between'),
        rawFrame(OPCODES.continuation, parts[1] ?? '', { fin: false }),
        rawFrame(OPCODES.pong, 'unsolicited'),
        rawFrame(OPCODES.continuation, parts[2] ?? ''),
      ]),
    );
    expect((await peer.frameOf(OPCODES.pong)).payload.toString('utf8')).toBe('between');
    await peer.eventOf('response.completed');
    peer.socket.destroy();
  }, 10_000);
});
