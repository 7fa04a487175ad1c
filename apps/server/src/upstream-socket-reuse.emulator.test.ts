import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { createMemoryCredentialStore } from '@codetether/oauth-pkce';
import type { TransportMode } from '@codetether/provider-codex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toStoredLogin } from './__fixtures__/emulator-login.js';
import { createGatewayCodexProvider } from './gateway-codex-provider.js';
import { createGatewayLogger } from './gateway-logger.js';
import { type RunningGateway, startGatewayServer } from './start-gateway-server.js';

const API_KEY = 'ctsk-socket-reuse-test';
const CONCURRENCY = 20;
/** transport-ws's `RESERVED_SHARED_IDLE_SOCKETS`: the conversations that keep their idle socket. */
const RESERVED_SHARED_IDLE_SOCKETS = 32;

/**
 * The emulator and a gateway as `codetether-server` makes it, with continuation on, and the
 * gateway's upstream sockets counted: those it opened, and those still open. No proxy in between
 * (unlike the gateway harness): the emulator's body end arrives in its own packet after
 * `response.completed`, as a real server's may.
 */
function useGateway(transport: TransportMode) {
  const state = {
    emulator: undefined as unknown as Emulator,
    gateway: undefined as unknown as RunningGateway,
    opened: 0,
    open: 0,
  };
  const onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    socket.once('connect', () => {
      if (String(socket.remotePort) !== new URL(state.emulator.url).port) return;
      state.opened += 1;
      state.open += 1;
      socket.once('close', () => {
        state.open -= 1;
      });
    });
  };
  beforeAll(async () => {
    state.emulator = await startEmulator({ scenario: 'text', eventDelayMs: 0 });
    const provider = createGatewayCodexProvider({
      env: {},
      auth: {
        type: 'chatgpt',
        store: createMemoryCredentialStore(toStoredLogin(state.emulator.issueTokens())),
      },
      issuer: state.emulator.issuerUrl,
      chatgptBaseUrl: `${state.emulator.url}/backend-api/codex`,
      transport,
      home: false,
    });
    state.gateway = await startGatewayServer({
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
    await state.gateway?.close({ graceMs: 0 });
    await state.emulator?.close();
  });
  /** One streaming `/v1/responses` request; whether it completed. */
  const request = async (input: string): Promise<boolean> => {
    const response = await fetch(`${state.gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.4', input, stream: true }),
    });
    return (await response.text()).includes('event: response.completed');
  };
  /** Sends `count` requests, {@link CONCURRENCY} at a time; returns how many completed. */
  const sendMany = async (count: number, inputOf: (index: number) => string): Promise<number> => {
    let sent = 0;
    let completed = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < count) {
          const index = sent;
          sent += 1;
          if (await request(inputOf(index))) completed += 1;
        }
      }),
    );
    return completed;
  };
  return { state, request, sendMany };
}

describe('gateway upstream sockets (HTTP upstream, continuation on)', () => {
  const { state, request, sendMany } = useGateway('http');

  it('keeps them when a conversation replaces an identical one', { timeout: 30_000 }, async () => {
    // Identical requests end with the same transcript: each one's conversation replaces (and
    // closes) the one before it, often while that one's upstream body is still ending. Closing it
    // must not cost that socket: 1,000 requests, 20 at a time, need about 20 connections (undici may
    // open one more when a request starts while a socket is still being handed back to its pool).
    // The first one also fetches the model list (its own connection).
    await request('hello');
    const openedBefore = state.opened;
    expect(await sendMany(1000, () => 'hello')).toBe(1000);
    expect(state.opened - openedBefore).toBeLessThanOrEqual(CONCURRENCY + 10);
  });
});

describe('gateway upstream sockets (WebSocket upstream, continuation on)', () => {
  const { state, request, sendMany } = useGateway('websocket');

  it('reuses idle sockets for new conversations and does not pile them up', {
    timeout: 30_000,
  }, async () => {
    // Every request starts a conversation of its own (the gateway keeps it for continuation). The
    // 32 most recent conversations keep their idle socket; a new conversation takes an older one's
    // instead of opening a socket (a WebSocket handshake), and a conversation the index drops
    // leaves its socket to the others: 600 requests, 20 at a time, need about 32 + 20 sockets, and
    // about that many stay open (before: 600 opened, 600 open).
    await request('warm-up');
    const openedBefore = state.opened;
    expect(await sendMany(600, (index) => `hello ${index}`)).toBe(600);
    const bound = RESERVED_SHARED_IDLE_SOCKETS + CONCURRENCY + 10;
    expect(state.opened - openedBefore).toBeLessThanOrEqual(bound);
    expect(state.open).toBeLessThanOrEqual(bound + 1);
  });
});
