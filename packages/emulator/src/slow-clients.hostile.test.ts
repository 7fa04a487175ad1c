import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  chatgptHeaders,
  openSocket,
  outputText,
  userInput,
} from './__fixtures__/emulator-client.js';
import { startEmulator } from './server.js';
import type { Emulator } from './types.js';

// The server ran with every HTTP timeout off (`requestTimeout: 0` turned off the headers timeout too):
// a client that sent its headers or its body a byte at a time — or nothing at all — held its
// connection for ever, and enough of them exhausted the emulator.

let emulator: Emulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Connects, sends `data`, and resolves with everything the server answers once it closes. */
function sendAndWaitForClose(url: string, data: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
    if (data !== '') socket.write(data);
  });
}

describe('slow clients', () => {
  it('answers headers that never finish with 408 in the OpenAI error shape, and closes', async () => {
    emulator = await startEmulator({ scenario: 'echo', requestTimeoutMs: 200 });
    const answer = await sendAndWaitForClose(emulator.url, 'POST /v1/responses HTTP/1.1\r\nHost: x\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toContain('"type":"invalid_request_error"');
    expect(answer).toContain('"code":"request_timeout"');
  });

  it('answers a body that stops arriving with 408, and closes', async () => {
    emulator = await startEmulator({ scenario: 'echo', requestTimeoutMs: 200 });
    const answer = await sendAndWaitForClose(
      emulator.url,
      'POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('closes a connection that never sends a byte', async () => {
    emulator = await startEmulator({ scenario: 'echo', requestTimeoutMs: 200 });
    expect(await sendAndWaitForClose(emulator.url, '')).not.toContain('200 OK');
  });

  it('does not cut an answer that streams for longer than the request timeout, nor a WebSocket', async () => {
    emulator = await startEmulator({ scenario: 'echo', requestTimeoutMs: 100, tokenDelayMs: 60 });
    const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: apiKeyHeaders(emulator),
      body: JSON.stringify({ model: 'gpt-5.4', input: 'one two three four five six seven', stream: true }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('response.completed');
    const socket = await openSocket(`${emulator.chatgptBaseUrl}/responses`, chatgptHeaders(emulator));
    try {
      socket.create({
        model: 'gpt-5.4',
        input: userInput('a slow answer on a socket older than the timeout'),
      });
      expect(outputText(await socket.nextResponse())).toBe(
        'a slow answer on a socket older than the timeout',
      );
    } finally {
      socket.socket.terminate();
    }
  });

  it('refuses a request timeout that is not a positive number', async () => {
    await expect(startEmulator({ requestTimeoutMs: Number.NaN })).rejects.toMatchObject({
      code: 'invalid-option',
    });
    await expect(startEmulator({ requestTimeoutMs: 0 })).rejects.toMatchObject({ code: 'invalid-option' });
  });
});
