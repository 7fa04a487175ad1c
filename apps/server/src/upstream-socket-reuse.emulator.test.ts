import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { createMemoryCredentialStore } from '@codetether/oauth-pkce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toStoredLogin } from './__fixtures__/emulator-login.js';
import { createGatewayCodexProvider } from './gateway-codex-provider.js';
import { createGatewayLogger } from './gateway-logger.js';
import { type RunningGateway, startGatewayServer } from './start-gateway-server.js';

const API_KEY = 'ctsk-socket-reuse-test';

// No proxy in between (unlike the gateway harness): the emulator's body end arrives in its own
// packet after response.completed, as a real server's may — the window this test is about.
describe('gateway upstream sockets (HTTP upstream, continuation on)', () => {
  let emulator: Emulator;
  let gateway: RunningGateway;
  let upstreamConnections = 0;
  const onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    socket.once('connect', () => {
      if (String(socket.remotePort) === new URL(emulator.url).port) upstreamConnections += 1;
    });
  };

  beforeAll(async () => {
    emulator = await startEmulator({ scenario: 'text', eventDelayMs: 0 });
    const provider = createGatewayCodexProvider({
      env: {},
      auth: { type: 'chatgpt', store: createMemoryCredentialStore(toStoredLogin(emulator.issueTokens())) },
      issuer: emulator.issuerUrl,
      chatgptBaseUrl: `${emulator.url}/backend-api/codex`,
      transport: 'http',
      home: false,
    });
    gateway = await startGatewayServer({
      provider,
      apiKey: API_KEY,
      port: 0,
      logger: createGatewayLogger({ level: 'warn' }),
      closeProviderOnClose: true,
    });
    subscribe('net.client.socket', onSocket);
  }, 30_000);
  afterAll(async () => {
    unsubscribe('net.client.socket', onSocket);
    await gateway?.close({ graceMs: 0 });
    await emulator?.close();
  });

  it('keeps them when a conversation replaces an identical one', { timeout: 30_000 }, async () => {
    // Identical requests end with the same transcript: each one's conversation replaces (and
    // closes) the one before it, often while that one's upstream body is still ending. Closing it
    // must not cost that socket: 1,000 requests, 20 at a time, need about 20 connections (undici may
    // open one more when a request starts while a socket is still being handed back to its pool).
    const request = async (): Promise<string> => {
      const response = await fetch(`${gateway.url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-5.4', input: 'hello', stream: true }),
      });
      return response.text();
    };
    // The first one also fetches the model list (its own connection).
    await request();
    const connectionsBefore = upstreamConnections;
    let sent = 0;
    let completed = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (sent < 1000) {
          sent += 1;
          if ((await request()).includes('event: response.completed')) completed += 1;
        }
      }),
    );
    expect(completed).toBe(1000);
    expect(upstreamConnections - connectionsBefore).toBeLessThanOrEqual(30);
  });
});
