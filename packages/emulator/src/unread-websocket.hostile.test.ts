import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { chatgptHeaders } from './__fixtures__/emulator-client.js';
import { startEmulator } from './server.js';
import type { Emulator } from './types.js';

// A WebSocket client that sends bad frames but never reads the answers made the emulator buffer an
// `error` event (~250 bytes) for every frame (~7 bytes): about 35 times what the client sent, without
// bound (hundreds of MB for a few MB of frames). The emulator now stops reading a connection whose
// answers are not being read, and goes on once the client reads again.

const FRAMES = 200_000;

let emulator: Emulator | undefined;
let client: WebSocket | undefined;

afterEach(async () => {
  client?.terminate();
  await emulator?.close();
});

function framesRecorded(): number {
  return (emulator as Emulator).requests.filter(
    (request) => request.transport === 'websocket' && request.body !== undefined,
  ).length;
}

describe('a WebSocket client that does not read', () => {
  it('is not read from while its answers pile up, and is answered in full once it reads again', async () => {
    emulator = await startEmulator({ scenario: 'echo', maxRecordedRequests: FRAMES + 10 });
    const url = `${emulator.chatgptBaseUrl.replace('http', 'ws')}/responses`;
    const socket = new WebSocket(url, { headers: chatgptHeaders(emulator) });
    client = socket;
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    let answers = 0;
    socket.on('message', () => {
      answers += 1;
    });
    // Stop reading: what the emulator sends piles up in its buffers.
    const transport = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    transport.pause();
    for (let frame = 0; frame < FRAMES; frame += 1) socket.send('x');
    // Without the back-pressure the emulator reads and answers every frame; with it, it stops for good
    // after a few megabytes of unread answers. Wait until it has read them all or made no progress
    // for half a second (with the back-pressure it never moves again, so this always ends).
    let recorded = -1;
    while (framesRecorded() < FRAMES && framesRecorded() !== recorded) {
      recorded = framesRecorded();
      await sleep(500);
    }
    expect(framesRecorded()).toBeLessThan(FRAMES);
    transport.resume();
    while (answers < FRAMES) await sleep(20);
    expect(framesRecorded()).toBe(FRAMES);
  });
});
