import { createServer, type Server, type Socket } from 'node:net';
import { createHttpTransport } from '@codetether/transport-http';
import { createWebSocketTransport } from '@codetether/transport-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { CodexProviderError } from './errors.js';
import { createCodexProvider } from './provider.js';

const request = { model: 'gpt-5.4', messages: [{ role: 'user' as const, content: 'hi' }] };

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
});

/** A TCP server on 127.0.0.1 that does `answer` with every connection, once it has read a request head. */
async function rawServer(answer: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => answer(socket));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A port nothing listens on (a server opened, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** The provider error of one request to the OpenAI API at `port` over `transport` (no retries). */
async function failureOver(transport: 'http' | 'websocket', port: number): Promise<CodexProviderError> {
  const provider = createCodexProvider({
    env: {},
    home: false,
    chatgptBaseUrl: `http://127.0.0.1:${port}/backend-api/codex`,
    openaiBaseUrl: `http://127.0.0.1:${port}/v1`,
    auth: { type: 'api-key', apiKey: 'sk-test' },
    transport,
    httpTransport: createHttpTransport({ maxAttempts: 1 }),
    webSocketTransport: createWebSocketTransport(),
  });
  try {
    await provider.complete(request);
  } catch (error) {
    if (error instanceof CodexProviderError) return error;
    throw error;
  } finally {
    await provider.close();
  }
  throw new Error('the request did not fail');
}

describe('a server that answers something that is not HTTP', () => {
  for (const transport of ['http', 'websocket'] as const) {
    it(`says the server answered with something that is not HTTP, over ${transport}`, async () => {
      const port = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
      const error = await failureOver(transport, port);
      expect(error.code).toBe('network-error');
      expect(error.message).not.toMatch(/could not reach/i);
      expect(error.message).toMatch(
        /^The server at the OpenAI API's base URL answered with something that is not HTTP: .*127\.0\.0\.1:\d+/,
      );
      expect(error.message).toContain('CODETETHER_OPENAI_BASE_URL');
    });

    it(`says the server closed the connection without answering, over ${transport}`, async () => {
      const port = await rawServer((socket) => socket.destroy());
      const error = await failureOver(transport, port);
      expect(error.code).toBe('network-error');
      expect(error.message).not.toMatch(/could not reach/i);
      expect(error.message).toMatch(
        /^The server at the OpenAI API's base URL closed the connection without answering: .*127\.0\.0\.1:\d+/,
      );
    });

    it(`still says "Could not reach" when nothing listens, over ${transport}`, async () => {
      const error = await failureOver(transport, await closedPort());
      expect(error.code).toBe('network-error');
      expect(error.message).toMatch(/^Could not reach the OpenAI API/);
    });
  }
});
