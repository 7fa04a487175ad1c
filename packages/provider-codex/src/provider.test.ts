import type { TokenManager } from '@codetether/oauth-pkce';
import type { StreamChunk } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { collect } from './__fixtures__/emulator-harness.js';
import {
  eventsThen,
  failingTransport,
  fakeTokenManager,
  fakeTransport,
  responseOf,
  textEvents,
  textTransport,
  transportError,
} from './__fixtures__/fake-transport.js';
import { UNREACHABLE_ENDPOINTS } from './__fixtures__/unreachable-endpoints.js';
import { CodexProviderError } from './errors.js';
import { type CodexProviderOptions, createCodexProvider } from './provider.js';
import type { TransportFallbackInfo } from './turn-sender.js';

const request = { model: 'gpt-5.4', messages: [{ role: 'user' as const, content: 'hi' }] };
const endpoints = { ...UNREACHABLE_ENDPOINTS, home: false as const };

/** A provider on an API key against the fake endpoints, with the given transports and options. */
function apiKeyProvider(options: CodexProviderOptions) {
  return createCodexProvider({ ...endpoints, auth: { type: 'api-key', apiKey: 'sk-test' }, ...options });
}

/** A provider on a ChatGPT login (the fake token manager) that sends over HTTP only. */
function chatgptHttpProvider(manager: TokenManager, options: CodexProviderOptions) {
  return createCodexProvider({
    ...endpoints,
    auth: { type: 'chatgpt', tokenManager: manager },
    transport: 'http',
    ...options,
  });
}

/** A socket that closed with 1006 after `events`. */
function droppedSocket(events: unknown[], fallbackSafe: boolean) {
  return responseOf(
    'websocket',
    eventsThen(
      events,
      transportError('closed 1006', { code: 'closed-before-completion', closeCode: 1006, fallbackSafe }),
    ),
  );
}

describe('transport selection', () => {
  it('falls back endpoint-wide on a 426 handshake until the sticky period ends', async () => {
    let now = 1_000;
    const fallbacks: TransportFallbackInfo[] = [];
    const webSocketTransport = failingTransport(
      transportError('upgrade refused', { status: 426, fallbackSafe: true }),
    );
    const httpTransport = textTransport('http');
    const provider = apiKeyProvider({
      webSocketTransport,
      httpTransport,
      now: () => now,
      fallbackStickyMs: 500,
      onTransportFallback: (info) => fallbacks.push(info),
    });
    expect((await provider.complete(request, { sessionId: 'a' })).text).toBe('hello');
    expect((await provider.complete(request, { sessionId: 'b' })).text).toBe('hello');
    expect(webSocketTransport.requests).toHaveLength(1);
    expect(httpTransport.requests).toHaveLength(2);
    expect(fallbacks).toEqual([{ sessionId: 'a', reason: 'http-status', status: 426, endpointWide: true }]);
    now += 600;
    await provider.complete(request, { sessionId: 'b' });
    expect(webSocketTransport.requests).toHaveLength(2);
    await provider.close();
  });

  it('falls back per session when the socket closes before any event', async () => {
    const webSocketTransport = fakeTransport(async (_request, index) =>
      index > 0 ? responseOf('websocket', eventsThen(textEvents('ws'))) : droppedSocket([], true),
    );
    const httpTransport = textTransport('http', 'http');
    const provider = apiKeyProvider({ webSocketTransport, httpTransport });
    expect((await provider.complete(request, { sessionId: 's1' })).text).toBe('http');
    expect((await provider.complete(request, { sessionId: 's1' })).text).toBe('http');
    expect((await provider.complete(request, { sessionId: 's2' })).text).toBe('ws');
    expect(webSocketTransport.requests).toHaveLength(2);
    expect(httpTransport.requests).toHaveLength(2);
  });

  it('replays over HTTP when the socket drops after lifecycle events but before any output', async () => {
    const fallbacks: TransportFallbackInfo[] = [];
    const webSocketTransport = fakeTransport(async () =>
      droppedSocket(textEvents('never').slice(0, 1), false),
    );
    const httpTransport = textTransport('http', 'from http');
    const provider = apiKeyProvider({
      webSocketTransport,
      httpTransport,
      onTransportFallback: (info) => fallbacks.push(info),
    });
    const chunks = await collect(provider.completeStream(request, { sessionId: 'late-drop' }));
    expect(chunks.filter((chunk) => chunk.type === 'text')).toEqual([{ type: 'text', text: 'from http' }]);
    expect(chunks.at(-1)?.type).toBe('done');
    expect(fallbacks).toEqual([
      { sessionId: 'late-drop', reason: 'closed-before-completion', endpointWide: false },
    ]);
    expect(webSocketTransport.requests).toHaveLength(1);
    expect(httpTransport.requests).toHaveLength(1);
  });

  it('never replays once output (text or thinking) reached the caller', async () => {
    const thinking = {
      type: 'response.reasoning_summary_text.delta',
      sequence_number: 1,
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      delta: 'thinking…',
    };
    for (const [events, expected] of [
      [textEvents('partial').slice(0, 3), ['text', 'error']],
      [
        [textEvents('x')[0], thinking],
        ['thinking', 'error'],
      ],
    ] as const) {
      const webSocketTransport = fakeTransport(async () => droppedSocket([...events], false));
      const httpTransport = textTransport('http');
      const provider = apiKeyProvider({ webSocketTransport, httpTransport });
      const chunks = await collect(provider.completeStream(request));
      expect(chunks.map((chunk) => chunk.type)).toEqual(expected);
      expect(httpTransport.requests).toHaveLength(0);
    }
  });

  it('keeps a session on HTTP exactly until its sticky period ends (injected clock)', async () => {
    let now = 50_000;
    let failWebSocket = true;
    const webSocketTransport = fakeTransport(async () => {
      if (failWebSocket) throw transportError('connect failed', { code: 'network', fallbackSafe: true });
      return responseOf('websocket', eventsThen(textEvents('ws')));
    });
    const httpTransport = textTransport('http', 'http');
    const fallbacks: TransportFallbackInfo[] = [];
    const provider = apiKeyProvider({
      webSocketTransport,
      httpTransport,
      now: () => now,
      fallbackStickyMs: 1_000,
      onTransportFallback: (info) => fallbacks.push(info),
    });
    expect((await provider.complete(request, { sessionId: 'sticky' })).text).toBe('http');
    expect(fallbacks).toEqual([{ sessionId: 'sticky', reason: 'network', endpointWide: false }]);
    failWebSocket = false;
    now += 999;
    expect((await provider.complete(request, { sessionId: 'sticky' })).text).toBe('http');
    // Another session is not affected by this one's fallback.
    expect((await provider.complete(request, { sessionId: 'other' })).text).toBe('ws');
    now += 1;
    expect((await provider.complete(request, { sessionId: 'sticky' })).text).toBe('ws');
    expect(webSocketTransport.requests.map((sent) => sent.sessionId)).toEqual(['sticky', 'other', 'sticky']);
    expect(httpTransport.requests).toHaveLength(2);
    expect(fallbacks).toHaveLength(1);
  });

  it('does not fall back when the WebSocket error is not fallback-safe, or in forced modes', async () => {
    const webSocketTransport = failingTransport(transportError('server said no', { status: 500 }));
    const httpTransport = textTransport('http');
    const provider = apiKeyProvider({ webSocketTransport, httpTransport });
    await expect(provider.complete(request)).rejects.toMatchObject({ code: 'upstream-error', status: 500 });
    expect(httpTransport.requests).toHaveLength(0);

    const forcedHttp = apiKeyProvider({ transport: 'http', webSocketTransport, httpTransport });
    await forcedHttp.complete(request);
    expect(webSocketTransport.requests).toHaveLength(1);
    expect(httpTransport.requests).toHaveLength(1);
    expect(httpTransport.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(httpTransport.requests[0]?.url).toBe('http://127.0.0.1:9/v1/responses');
  });

  it('does not fall back on a refusal (401, usage limit) or a plain error that is not a transport error', async () => {
    for (const error of [
      transportError('401', { status: 401, fallbackSafe: true }),
      transportError('limit', { code: 'usage-limit-reached', status: 429, fallbackSafe: true }),
      new Error('not a transport error'),
    ]) {
      const httpTransport = textTransport('http');
      const provider = apiKeyProvider({ webSocketTransport: failingTransport(error), httpTransport });
      await expect(provider.complete(request)).rejects.toBeInstanceOf(CodexProviderError);
      expect(httpTransport.requests).toHaveLength(0);
    }
  });
});

describe('ChatGPT auth recovery', () => {
  it('forces exactly one refresh after a 401 and retries with the new token', async () => {
    const { manager, forced } = fakeTokenManager(['token-1', 'token-2']);
    const httpTransport = fakeTransport(async (transportRequest) => {
      if (transportRequest.headers.authorization === 'Bearer token-1') {
        throw transportError('401', { status: 401, serverMessage: 'token expired' });
      }
      return responseOf('http', eventsThen(textEvents('ok')));
    });
    const provider = chatgptHttpProvider(manager, { httpTransport });
    expect((await provider.complete(request)).text).toBe('ok');
    expect(forced).toEqual(['token-1']);
    expect(httpTransport.requests.map((sent) => sent.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
    expect(httpTransport.requests[1]?.headers['chatgpt-account-id']).toBe('acc-1');
    expect(httpTransport.requests[1]?.url).toBe('http://127.0.0.1:9/backend-api/codex/responses');
  });

  it('reports unauthorized after the retry is rejected too, and never refreshes on a missing scope', async () => {
    const { manager, forced } = fakeTokenManager(['token-1', 'token-2']);
    const rejectAll = failingTransport(transportError('401', { status: 401 }));
    const provider = chatgptHttpProvider(manager, { httpTransport: rejectAll });
    await expect(provider.complete(request)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    expect(forced).toHaveLength(1);
    expect(rejectAll.requests).toHaveLength(2);

    const scope = fakeTokenManager(['token-1', 'token-2']);
    const missingScope = failingTransport(
      transportError('401', { status: 401, serverMessage: 'Missing scopes: model.request' }),
    );
    const scoped = chatgptHttpProvider(scope.manager, { httpTransport: missingScope });
    await expect(scoped.complete(request)).rejects.toMatchObject({ code: 'missing-scope' });
    expect(scope.forced).toHaveLength(0);
  });

  it('stops waiting for a slow token refresh when the request is aborted', async () => {
    let refreshStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      refreshStarted = resolve;
    });
    const hangingManager = {
      getAccessToken: () => {
        refreshStarted();
        return new Promise<never>(() => {});
      },
      forceRefresh: () => new Promise<never>(() => {}),
      logout: async () => {},
    } as unknown as TokenManager;
    const httpTransport = textTransport('http');
    const provider = chatgptHttpProvider(hangingManager, { httpTransport });
    const controller = new AbortController();
    const pending = provider.complete(request, { signal: controller.signal });
    await started;
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(httpTransport.requests).toHaveLength(0);
  });

  it('refuses a login without account id before sending', async () => {
    const { manager } = fakeTokenManager(['token-1'], null);
    const httpTransport = textTransport('http');
    const provider = chatgptHttpProvider(manager, { httpTransport });
    await expect(collect(provider.completeStream(request))).rejects.toMatchObject({
      code: 'missing-account-id',
    });
    expect(httpTransport.requests).toHaveLength(0);
  });
});

describe('streaming', () => {
  it('stops at once on abort and closes the transport stream', async () => {
    let closed = false;
    const httpTransport = fakeTransport(async () =>
      responseOf('http', {
        [Symbol.asyncIterator]() {
          let sent = 0;
          const events = textEvents('tick');
          return {
            next() {
              if (sent < 3) return Promise.resolve({ done: false, value: events[sent++] });
              return new Promise<IteratorResult<unknown>>(() => {}); // never answers
            },
            return() {
              closed = true;
              return Promise.resolve({ done: true as const, value: undefined });
            },
          };
        },
      }),
    );
    const provider = apiKeyProvider({ transport: 'http', httpTransport });
    const controller = new AbortController();
    const chunks: StreamChunk[] = [];
    for await (const chunk of provider.completeStream(request, { signal: controller.signal })) {
      chunks.push(chunk);
      if (chunk.type === 'text') controller.abort();
    }
    expect(chunks.map((chunk) => chunk.type)).toEqual(['text', 'error']);
    expect(chunks[1]).toMatchObject({ code: 'aborted' });
    expect(closed).toBe(true);
  });

  it('turns a mid-stream transport failure into one error chunk and records rate limits', async () => {
    const httpTransport = fakeTransport(async () =>
      responseOf(
        'http',
        eventsThen(
          textEvents('partial').slice(0, 3),
          transportError('idle', { code: 'timeout-idle', isRetryable: true }),
        ),
        { rateLimits: { primary: { usedPercent: 12, windowMinutes: 300 }, planType: 'plus' } },
      ),
    );
    const provider = apiKeyProvider({ transport: 'http', httpTransport });
    const chunks = await collect(provider.completeStream(request));
    expect(chunks.at(-1)).toMatchObject({ type: 'error', code: 'timeout' });
    expect(provider.lastRateLimits?.primary?.usedPercent).toBe(12);
    const error = await provider.complete(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CodexProviderError);
    expect(error).toMatchObject({ code: 'timeout', isRetryable: true });
  });

  it('uses one generated session id per call for the header and prompt_cache_key', async () => {
    const { manager } = fakeTokenManager(['token-1']);
    const httpTransport = textTransport('http');
    const provider = chatgptHttpProvider(manager, { httpTransport });
    await provider.complete(request);
    await provider.complete(request);
    const [first, second] = httpTransport.requests;
    expect(first?.headers['session-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.body.prompt_cache_key).toBe(first?.headers['session-id']);
    expect(second?.headers['session-id']).not.toBe(first?.headers['session-id']);
  });
});

describe('configuration', () => {
  it('creates the provider with an invalid CODETETHER_TRANSPORT but refuses every request with its error', async () => {
    const httpTransport = textTransport('http');
    const provider = apiKeyProvider({ env: { CODETETHER_TRANSPORT: 'carrier-pigeon' }, httpTransport });
    await expect(provider.listModels()).resolves.not.toHaveLength(0);
    const expected = {
      code: 'invalid-request',
      message:
        "Unknown transport 'carrier-pigeon' in CODETETHER_TRANSPORT. Use one of: auto, websocket, http.",
    };
    await expect(provider.complete(request)).rejects.toMatchObject(expected);
    await expect(provider.createResponseStream({ model: 'gpt-5.4', input: 'hi' })).rejects.toMatchObject(
      expected,
    );
    expect(httpTransport.requests).toHaveLength(0);
  });
});

describe('request body', () => {
  it('applies aliases, the priority tier, env effort, encrypted reasoning and the session cache key', async () => {
    const { manager } = fakeTokenManager(['token-1']);
    const httpTransport = textTransport('http');
    const provider = chatgptHttpProvider(manager, {
      env: { CODETETHER_OPENAI_CODEX_THINKING_LEVEL: 'medium' },
      httpTransport,
    });
    await provider.complete({ ...request, model: 'gpt-5.5-fast' }, { sessionId: 'conversation-7' });
    await provider.complete({ ...request, model: 'gpt-5.4:xhigh' }, { sessionId: 'conversation-7' });
    const [fast, explicit] = httpTransport.requests;
    expect(fast?.body).toMatchObject({
      model: 'gpt-5.5',
      service_tier: 'priority',
      reasoning: { effort: 'medium' },
      prompt_cache_key: 'conversation-7',
      store: false,
      stream: true,
    });
    expect(fast?.body.include).toContain('reasoning.encrypted_content');
    expect(typeof fast?.body.instructions).toBe('string');
    expect(fast?.headers['session-id']).toBe('conversation-7');
    expect(explicit?.body).toMatchObject({ model: 'gpt-5.4', reasoning: { effort: 'xhigh' } });
    expect(explicit?.body.service_tier).toBeUndefined();
  });
});

describe('prepare', () => {
  /** A transport that only counts `prepare` calls (nothing is sent in these tests). */
  function preparedTransport(fails = false) {
    const calls: string[] = [];
    return {
      calls,
      transport: {
        stream: () => Promise.reject(new Error('not used')),
        prepare: () => {
          calls.push('prepare');
          return fails ? Promise.reject(new Error('cannot load')) : Promise.resolve();
        },
        close: () => Promise.resolve(),
      },
    };
  }

  it("loads the configured transport mode's transports, and nothing else", async () => {
    for (const [transport, expected] of [
      ['auto', { http: 1, websocket: 1 }],
      ['http', { http: 1, websocket: 0 }],
      ['websocket', { http: 0, websocket: 1 }],
    ] as const) {
      const http = preparedTransport();
      const webSocket = preparedTransport();
      const provider = apiKeyProvider({
        transport,
        httpTransport: http.transport,
        webSocketTransport: webSocket.transport,
      });
      await provider.prepare();
      expect({ http: http.calls.length, websocket: webSocket.calls.length }).toEqual(expected);
    }
  });

  it('never rejects: not for a transport that fails to load, an invalid mode or a closed provider', async () => {
    const failing = preparedTransport(true);
    await expect(
      apiKeyProvider({ transport: 'http', httpTransport: failing.transport }).prepare(),
    ).resolves.toBeUndefined();
    const unused = preparedTransport();
    const invalid = apiKeyProvider({
      env: { CODETETHER_TRANSPORT: 'carrier-pigeon' },
      httpTransport: unused.transport,
    });
    await expect(invalid.prepare()).resolves.toBeUndefined();
    const closed = apiKeyProvider({ transport: 'http', httpTransport: unused.transport });
    await closed.close();
    await closed.prepare();
    expect(unused.calls).toHaveLength(0);
  });

  it('loads the transports it creates itself (their modules) without sending anything', async () => {
    const provider = apiKeyProvider({ transport: 'auto' });
    await expect(provider.prepare()).resolves.toBeUndefined();
    await provider.close();
  });
});

describe('sockets of one-shot requests', () => {
  it('keeps no socket for a request without a session id; keeps one for a named session', async () => {
    const webSocketTransport = textTransport('websocket');
    const provider = apiKeyProvider({ webSocketTransport, transport: 'websocket' });
    await provider.complete(request);
    await collect((await provider.createResponseStream({ model: 'gpt-5.4', input: 'hi' })).events);
    await provider.complete(request, { sessionId: 'named' });
    // A transport request without a session id gets its socket closed once the response ends.
    expect(webSocketTransport.requests.map((sent) => sent.sessionId)).toEqual([
      undefined,
      undefined,
      'named',
    ]);
    await provider.close();
  });
});
