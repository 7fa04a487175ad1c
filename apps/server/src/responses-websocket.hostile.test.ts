import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeProvider } from './__fixtures__/fake-provider.js';
import { OPCODES, openRawWebSocket, rawFrame } from './__fixtures__/raw-websocket-peer.js';
import { createGatewayLogger } from './gateway-logger.js';
import {
  type RunningGateway,
  type StartGatewayServerOptions,
  startGatewayServer,
} from './start-gateway-server.js';

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
