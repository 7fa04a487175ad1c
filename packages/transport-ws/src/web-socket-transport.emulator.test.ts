import { createServer } from 'node:net';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { type ClientOptions } from 'ws';
import {
  chatgptHeaders,
  chatgptRequest,
  collectEvents,
  collectUntilError,
  userTurnBody,
} from './__fixtures__/emulator-requests.js';
import { ManualScheduler } from './__fixtures__/manual-scheduler.js';
import { createWebSocketTransport, type WebSocketTransport } from './web-socket-transport.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

const TIMEOUT = { timeout: 20_000 };

let emulator: Emulator;
let transport: WebSocketTransport | undefined;
let socketsCreated = 0;

/** Counts the sockets the transport opens. */
class CountingWebSocket extends WebSocket {
  constructor(address: string, options: ClientOptions) {
    super(address, options);
    socketsCreated += 1;
  }
}

function newTransport(options: Parameters<typeof createWebSocketTransport>[0] = {}): WebSocketTransport {
  transport = createWebSocketTransport({ WebSocket: CountingWebSocket, ...options });
  return transport;
}

function frames(): Array<Record<string, unknown>> {
  return emulator.requests
    .filter((request) => request.transport === 'websocket' && request.method === 'POST')
    .map((request) => request.body as Record<string, unknown>);
}

beforeAll(async () => {
  emulator = await startEmulator({ scenario: 'text' });
});

afterAll(async () => {
  await emulator.close();
});

afterEach(async () => {
  await transport?.close();
  transport = undefined;
  socketsCreated = 0;
  emulator.setOptions({
    websocket: true,
    eventDelayMs: 0,
    webSocketCloseAfterEvents: 0,
    largeResponseBytes: 4 * 1024 * 1024,
  });
  emulator.clearRequests();
});

describe('createWebSocketTransport against the emulator', () => {
  it('sends response.create with the caller headers and yields every event', TIMEOUT, async () => {
    const ws = newTransport();
    const response = await ws.stream(chatgptRequest(emulator, 'hello'));
    expect(response).toMatchObject({ transport: 'websocket', status: 101 });
    expect(response.requestId).toMatch(/^req_/);
    expect(response.rateLimits.primary?.windowMinutes).toBe(300);
    const events = await collectEvents(response.events);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('codex.rate_limits');
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.completed');
    const [frame] = frames();
    expect(frame).toMatchObject({ type: 'response.create', model: 'gpt-5.4', store: false });
    expect(frame).not.toHaveProperty('stream');
    const recorded = emulator.requests.find((request) => request.transport === 'websocket');
    expect(recorded?.headers).toMatchObject({
      originator: 'codex_cli_rs',
      'user-agent': 'codetether-transport-ws-test/1.0',
      'openai-beta': 'responses_websockets=2026-02-06',
      'chatgpt-account-id': expect.any(String),
    });
  });

  it('streams a tool call and the OpenAI API path', TIMEOUT, async () => {
    const ws = newTransport();
    const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } }];
    const response = await ws.stream(
      chatgptRequest(emulator, '[scenario:tool-call] weather?', {
        body: userTurnBody('[scenario:tool-call] weather?', { tools }),
      }),
    );
    const types = (await collectEvents(response.events)).map((event) => event.type);
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.at(-1)).toBe('response.completed');

    const apiKey = emulator.createApiKey();
    const api = await ws.stream({
      url: `${emulator.openaiBaseUrl}/responses`,
      headers: { Authorization: `Bearer ${apiKey}` },
      body: userTurnBody('hi'),
    });
    expect((await collectEvents(api.events)).at(-1)?.type).toBe('response.completed');
  });

  it('reuses one socket for the turns of a session', TIMEOUT, async () => {
    const ws = newTransport();
    for (let turn = 0; turn < 3; turn += 1) {
      const response = await ws.stream(chatgptRequest(emulator, `turn ${turn}`, { sessionId: 'session-1' }));
      expect((await collectEvents(response.events)).at(-1)?.type).toBe('response.completed');
      expect(ws.state()).toMatchObject({ openConnections: 1, idleConnections: 1, activeResponses: 0 });
    }
    expect(socketsCreated).toBe(1);
    expect(frames()).toHaveLength(3);
    const other = await ws.stream(chatgptRequest(emulator, 'other session', { sessionId: 'session-2' }));
    await collectEvents(other.events);
    expect(socketsCreated).toBe(2);
    expect(ws.state()).toMatchObject({ openConnections: 2, idleConnections: 2 });
  });

  it('lets sessions that share sockets take the idle socket of one that ended', TIMEOUT, async () => {
    const ws = newTransport();
    const first = await ws.stream(chatgptRequest(emulator, 'one', { sessionId: 'a', shareConnection: true }));
    await collectEvents(first.events);
    // Ended: its socket stays open for the other sharing sessions (not for one that does not share).
    await ws.closeSession('a');
    expect(ws.state()).toMatchObject({ openConnections: 1, idleConnections: 1 });
    const own = await ws.stream(chatgptRequest(emulator, 'two', { sessionId: 'b' }));
    await collectEvents(own.events);
    expect(socketsCreated).toBe(2);
    const shared = await ws.stream(
      chatgptRequest(emulator, 'three', { sessionId: 'c', shareConnection: true }),
    );
    await collectEvents(shared.events);
    expect(socketsCreated).toBe(2);
    expect(shared.connection?.id).toBe(first.connection?.id);
    // A session that does not share closes its socket when it ends.
    await ws.closeSession('b');
    await expect.poll(() => ws.state().openConnections).toBe(1);
  });

  it('opens a second socket for a concurrent turn of the same session', TIMEOUT, async () => {
    emulator.setOptions({ eventDelayMs: 5 });
    const ws = newTransport();
    const first = await ws.stream(chatgptRequest(emulator, 'one', { sessionId: 's' }));
    const second = await ws.stream(chatgptRequest(emulator, 'two', { sessionId: 's' }));
    expect(socketsCreated).toBe(2);
    expect(ws.state().activeResponses).toBe(2);
    const [a, b] = await Promise.all([collectEvents(first.events), collectEvents(second.events)]);
    expect(a.at(-1)?.type).toBe('response.completed');
    expect(b.at(-1)?.type).toBe('response.completed');
    // One idle socket per session is kept; the other one is closed.
    expect(ws.state().idleConnections).toBe(1);
    await expect.poll(() => ws.state().openConnections).toBe(1);
  });

  it('closes the socket after the turn when there is no session id', TIMEOUT, async () => {
    const ws = newTransport();
    const response = await ws.stream(chatgptRequest(emulator, 'hi'));
    await collectEvents(response.events);
    await expect.poll(() => ws.state().openConnections).toBe(0);
  });

  it('closes idle sockets after the idle timeout and before the maximum age', TIMEOUT, async () => {
    const scheduler = new ManualScheduler();
    const ws = newTransport({ scheduler, now: scheduler.now });
    const turn = async (sessionId: string) => {
      const response = await ws.stream(chatgptRequest(emulator, 'hi', { sessionId }));
      await collectEvents(response.events);
    };
    await turn('idle');
    scheduler.advance(5 * 60_000);
    await expect.poll(() => ws.state().openConnections).toBe(0);

    await turn('aging');
    expect(socketsCreated).toBe(2);
    for (let minute = 0; minute < 52; minute += 4) {
      scheduler.advance(4 * 60_000);
      await turn('aging');
    }
    scheduler.advance(2 * 60_000);
    await turn('aging');
    expect(socketsCreated).toBe(2);
    // 54 minutes old: one minute before the 55-minute limit the idle socket is closed.
    scheduler.advance(60_000);
    await expect.poll(() => ws.state().openConnections).toBe(0);
    await turn('aging');
    expect(socketsCreated).toBe(3);
  });

  it(
    'reports a close before any event as fallback-safe (ws-close-1006, ws-close-1011)',
    TIMEOUT,
    async () => {
      const ws = newTransport();
      for (const [scenario, code] of [
        ['ws-close-1006', 1006],
        ['ws-close-1011', 1011],
      ] as const) {
        const response = await ws.stream(
          chatgptRequest(emulator, `[scenario:${scenario}] hi`, { sessionId: 's' }),
        );
        const { events, error } = await collectUntilError(response.events);
        expect(events).toEqual([]);
        expect(error).toBeInstanceOf(WebSocketTransportError);
        expect(error).toMatchObject({
          code: 'closed-before-completion',
          closeCode: code,
          fallbackSafe: true,
          isRetryable: true,
        });
      }
      await expect.poll(() => ws.state().openConnections).toBe(0);
    },
  );

  it('reports a close after output as not fallback-safe', TIMEOUT, async () => {
    emulator.setOptions({ webSocketCloseAfterEvents: 4 });
    const ws = newTransport();
    const response = await ws.stream(chatgptRequest(emulator, '[scenario:ws-close-1011] hi'));
    const { events, error } = await collectUntilError(response.events);
    expect(events.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: 'closed-before-completion', closeCode: 1011, fallbackSafe: false });
  });

  it('reports a disconnect in the middle of a response (scenario disconnect)', TIMEOUT, async () => {
    const ws = newTransport();
    const response = await ws.stream(
      chatgptRequest(emulator, '[scenario:disconnect] hi', { sessionId: 's' }),
    );
    const { events, error } = await collectUntilError(response.events);
    expect(events.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: 'closed-before-completion', closeCode: 1006, fallbackSafe: false });
    const next = await ws.stream(chatgptRequest(emulator, 'hi', { sessionId: 's' }));
    expect((await collectEvents(next.events)).at(-1)?.type).toBe('response.completed');
  });

  it('streams a large response intact (scenario large)', TIMEOUT, async () => {
    emulator.setOptions({ largeResponseBytes: 512 * 1024 });
    const ws = newTransport();
    const response = await ws.stream(chatgptRequest(emulator, '[scenario:large] hi'));
    let text = '';
    for await (const event of response.events) {
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text.length).toBe(512 * 1024);
  });

  it('turns refused handshakes into fallback-safe typed errors (401, 403, 404, 426)', TIMEOUT, async () => {
    const ws = newTransport();
    const unauthorized = ws.stream({
      ...chatgptRequest(emulator, 'hi'),
      headers: { ...chatgptHeaders(emulator), Authorization: 'Bearer not-a-valid-token-123' },
    });
    await expect(unauthorized).rejects.toMatchObject({
      code: 'http-status',
      status: 401,
      fallbackSafe: true,
      isRetryable: false,
    });
    const error = (await unauthorized.catch((caught: unknown) => caught)) as WebSocketTransportError;
    expect(JSON.stringify({ message: error.message, server: error.serverMessage })).not.toContain(
      'not-a-valid-token-123',
    );

    for (const status of [403, 404]) {
      emulator.setOptions({ websocket: { handshakeStatus: status } });
      await expect(ws.stream(chatgptRequest(emulator, 'hi'))).rejects.toMatchObject({
        code: 'http-status',
        status,
        fallbackSafe: true,
      });
    }
    emulator.setOptions({ websocket: false });
    await expect(ws.stream(chatgptRequest(emulator, 'hi'))).rejects.toMatchObject({
      code: 'http-status',
      status: 426,
      fallbackSafe: true,
      serverMessage: expect.stringContaining('use HTTP'),
    });
    emulator.setOptions({ websocket: true });
    const wrongPath = { ...chatgptRequest(emulator, 'hi'), url: `${emulator.url}/nowhere/responses` };
    await expect(ws.stream(wrongPath)).rejects.toMatchObject({ code: 'http-status', status: 404 });
    expect(ws.state().openConnections).toBe(0);
  });

  it('reports a refused connection as a fallback-safe network error', TIMEOUT, async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const ws = newTransport();
    const attempt = ws.stream({
      url: `http://127.0.0.1:${port}/v1/responses`,
      headers: {},
      body: userTurnBody('x'),
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'network',
      fallbackSafe: true,
      isRetryable: true,
    });
    await expect(attempt).rejects.toThrow(/ECONNREFUSED/);
  });

  it(
    'turns a usage-limit error event into usage-limit-reached with reset time and plan',
    TIMEOUT,
    async () => {
      const ws = newTransport();
      const response = await ws.stream(
        chatgptRequest(emulator, '[scenario:rate-limited] hi', { sessionId: 's' }),
      );
      const { error } = await collectUntilError(response.events);
      expect(error).toMatchObject({
        code: 'usage-limit-reached',
        status: 429,
        isRetryable: false,
        fallbackSafe: true,
        planType: 'plus',
      });
      const typed = error as WebSocketTransportError;
      expect(typed.resetsAt).toBeGreaterThan(Date.now());
      expect(typed.rateLimits?.primary?.usedPercent).toBe(100);
      // The next turn of the session still works.
      const next = await ws.stream(chatgptRequest(emulator, 'hi again', { sessionId: 's' }));
      expect((await collectEvents(next.events)).at(-1)?.type).toBe('response.completed');
    },
  );

  it(
    'yields model error events and ends the response (error-nested, failed, incomplete)',
    TIMEOUT,
    async () => {
      const ws = newTransport();
      const nested = await ws.stream(
        chatgptRequest(emulator, '[scenario:error-nested] hi', { sessionId: 's' }),
      );
      const nestedEvents = await collectEvents(nested.events);
      expect(nestedEvents.at(-1)).toMatchObject({
        type: 'error',
        error: { code: 'context_length_exceeded' },
      });
      for (const [scenario, terminal] of [
        ['failed', 'response.failed'],
        ['incomplete', 'response.incomplete'],
      ]) {
        const response = await ws.stream(
          chatgptRequest(emulator, `[scenario:${scenario}] hi`, { sessionId: 's' }),
        );
        expect((await collectEvents(response.events)).at(-1)?.type).toBe(terminal);
      }
    },
  );

  it('ends the turn on abort, discards the socket and keeps the pool usable', TIMEOUT, async () => {
    emulator.setOptions({ eventDelayMs: 50 });
    const ws = newTransport();
    const controller = new AbortController();
    const response = await ws.stream(
      chatgptRequest(emulator, '[scenario:slow] hi', { sessionId: 's', signal: controller.signal }),
    );
    const iterator = response.events[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'aborted', fallbackSafe: false });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    await expect
      .poll(() => ws.state())
      .toEqual({ openConnections: 0, countedConnections: 0, idleConnections: 0, activeResponses: 0 });

    emulator.setOptions({ eventDelayMs: 0 });
    const next = await ws.stream(chatgptRequest(emulator, 'hi', { sessionId: 's' }));
    expect((await collectEvents(next.events)).at(-1)?.type).toBe('response.completed');
    expect(socketsCreated).toBe(2);
  });

  it('rejects at once for an already aborted signal and aborts a pending handshake', TIMEOUT, async () => {
    const ws = newTransport();
    await expect(
      ws.stream(chatgptRequest(emulator, 'hi', { signal: AbortSignal.abort(new Error('stop')) })),
    ).rejects.toMatchObject({ code: 'aborted', fallbackSafe: true });
    expect(socketsCreated).toBe(0);
    const controller = new AbortController();
    const pending = ws.stream(chatgptRequest(emulator, 'hi', { signal: controller.signal }));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await expect.poll(() => ws.state().openConnections).toBe(0);
  });

  it('discards the socket when the consumer stops early', TIMEOUT, async () => {
    emulator.setOptions({ eventDelayMs: 20 });
    const ws = newTransport();
    const response = await ws.stream(chatgptRequest(emulator, '[scenario:slow] hi', { sessionId: 's' }));
    for await (const event of response.events) {
      expect(event.type).toBeDefined();
      break;
    }
    await expect
      .poll(() => ws.state())
      .toEqual({ openConnections: 0, countedConnections: 0, idleConnections: 0, activeResponses: 0 });
  });

  it('fails a stalled response with timeout-idle (injected timers, no sleeping)', TIMEOUT, async () => {
    emulator.setOptions({ eventDelayMs: 60_000 });
    const scheduler = new ManualScheduler();
    const ws = newTransport({ scheduler, now: scheduler.now, idleEventTimeoutMs: 1_000 });
    const response = await ws.stream(chatgptRequest(emulator, '[scenario:slow] hi', { sessionId: 's' }));
    const iterator = response.events[Symbol.asyncIterator]();
    // The rate-limit event and the first event arrive at once; then the emulator stalls for a minute.
    expect((await iterator.next()).value?.type).toBe('codex.rate_limits');
    expect((await iterator.next()).value?.type).toBe('response.created');
    scheduler.advance(1_000);
    await expect(iterator.next()).rejects.toMatchObject({ code: 'timeout-idle', fallbackSafe: false });
    await expect.poll(() => ws.state().openConnections).toBe(0);
  });

  it('close() ends responses in flight and closes every socket', TIMEOUT, async () => {
    emulator.setOptions({ eventDelayMs: 50 });
    const ws = newTransport();
    const idle = await ws.stream(chatgptRequest(emulator, 'hi', { sessionId: 'idle' }));
    emulator.setOptions({ eventDelayMs: 0 });
    await collectEvents(idle.events);
    emulator.setOptions({ eventDelayMs: 50 });
    const busy = await ws.stream(chatgptRequest(emulator, '[scenario:slow] hi', { sessionId: 'busy' }));
    const iterator = busy.events[Symbol.asyncIterator]();
    await iterator.next();
    await ws.close();
    expect(ws.state()).toEqual({
      openConnections: 0,
      countedConnections: 0,
      idleConnections: 0,
      activeResponses: 0,
    });
    await expect(iterator.next()).rejects.toMatchObject({ code: 'transport-closed' });
    await expect(ws.stream(chatgptRequest(emulator, 'hi'))).rejects.toMatchObject({
      code: 'transport-closed',
    });
  });
});
