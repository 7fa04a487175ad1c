import { createFileCredentialStore, createMemoryCredentialStore } from '@codetether/oauth-pkce';
import type { ChatMessage, StreamChunk, ToolDefinition } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import {
  collect,
  emulatorCredentials,
  emulatorEndpoints,
  expectProviderError,
  providerFor,
  type TestAuthMode,
  temporaryHome,
  useEmulatorHarness,
} from './__fixtures__/emulator-harness.js';
import type { TransportMode } from './configuration.js';
import { CodexProviderError } from './errors.js';
import { createCodexProvider } from './provider.js';
import type { TransportFallbackInfo } from './turn-sender.js';

const weatherTool: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function userMessage(text: string): ChatMessage[] {
  return [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: text },
  ];
}

const harness = useEmulatorHarness();

const authModes: TestAuthMode[] = ['chatgpt', 'api-key'];
const transports: TransportMode[] = ['auto', 'websocket', 'http'];

describe.each(authModes)('auth %s', (mode) => {
  const expectedPath = mode === 'chatgpt' ? '/backend-api/codex/responses' : '/v1/responses';

  describe.each(transports)('transport %s', (transport) => {
    it('streams a text completion with the right backend, headers and body', {
      timeout: 10_000,
    }, async () => {
      const provider = harness.track(providerFor(harness.emulator, mode, transport));
      const chunks = await collect(
        provider.completeStream(
          { model: 'gpt-5.4:high', messages: userMessage('[scenario:text] hello'), maxOutputTokens: 500 },
          { sessionId: 'session-1' },
        ),
      );
      const done = chunks.at(-1);
      expect(done?.type).toBe('done');
      expect(chunks.filter((chunk) => chunk.type === 'text').length).toBeGreaterThan(0);
      expect(chunks.some((chunk) => chunk.type === 'error')).toBe(false);

      const requests = harness.responsesRequests();
      expect(requests).toHaveLength(1);
      const request = requests[0]!;
      expect(request.path).toBe(expectedPath);
      expect(request.transport).toBe(transport === 'http' ? 'http' : 'websocket');
      const body = request.body as Record<string, unknown>;
      expect(body.model).toBe('gpt-5.4');
      expect(body.prompt_cache_key).toBe('session-1');
      expect(body.reasoning).toMatchObject({ effort: 'high' });
      expect(body.instructions).toBe('You are terse.');
      if (mode === 'chatgpt') {
        expect(request.headers['chatgpt-account-id']).toBeTruthy();
        expect(request.headers.originator).toBe('codex_cli_rs');
        expect(request.headers['session-id']).toBe('session-1');
        expect(body.max_output_tokens).toBeUndefined();
        expect(body.store).toBe(false);
      } else {
        expect(request.headers['chatgpt-account-id']).toBeUndefined();
        expect(body.max_output_tokens).toBe(500);
      }
      expect(request.headers['user-agent']).toMatch(/^codetether\//);
      expect(request.headers['openai-beta']).toBe(
        request.transport === 'http' ? 'responses=experimental' : 'responses_websockets=2026-02-06',
      );
      if (request.transport === 'http') expect(request.headers.accept).toBe('text/event-stream');
    });

    it('runs a full two-turn tool loop with round-tripped call ids', { timeout: 10_000 }, async () => {
      const provider = harness.track(providerFor(harness.emulator, mode, transport));
      const messages: ChatMessage[] = userMessage('[scenario:tool-call] weather in Paris?');
      const first = await provider.complete(
        { model: 'gpt-5.4', messages, tools: [weatherTool] },
        { sessionId: 'tool-session' },
      );
      expect(first.finishReason).toBe('tool-calls');
      expect(first.toolCalls).toHaveLength(1);
      const call = first.toolCalls[0]!;
      expect(call.name).toBe('get_weather');
      expect(() => JSON.parse(call.arguments)).not.toThrow();

      messages.push({ role: 'assistant', toolCalls: first.toolCalls });
      messages.push({ role: 'tool', toolCallId: call.id, content: '{"temperature":"21C"}' });
      const second = await provider.complete(
        { model: 'gpt-5.4', messages, tools: [weatherTool] },
        { sessionId: 'tool-session' },
      );
      expect(second.finishReason).toBe('stop');
      expect(second.text).toContain('21C');

      const secondBody = harness.responsesRequests().at(-1)!.body as {
        input: Array<Record<string, unknown>>;
      };
      const items = secondBody.input;
      expect(items.find((item) => item.type === 'function_call')?.call_id).toBe(call.id);
      expect(items.find((item) => item.type === 'function_call_output')?.call_id).toBe(call.id);
    });
  });

  it('lists the models of its backend', async () => {
    const provider = harness.track(providerFor(harness.emulator, mode, 'http'));
    const ids = (await provider.listModels()).map((model) => model.id);
    if (mode === 'chatgpt') {
      expect(ids).not.toContain('gpt-5.4-pro');
      expect(ids).not.toContain('o3');
      expect(ids).toContain('gpt-5.1-codex-max');
    } else {
      expect(ids).toContain('gpt-5.4-pro');
      expect(ids).toContain('o3');
    }
    expect((await provider.resolveAuth()).mode).toBe(mode);
  });
});

describe('transport fallback', () => {
  it('falls back to HTTP when the server refuses WebSockets and goes straight to HTTP next turn', {
    timeout: 10_000,
  }, async () => {
    harness.emulator.setOptions({ websocket: false });
    const fallbacks: TransportFallbackInfo[] = [];
    const provider = harness.track(
      providerFor(harness.emulator, 'chatgpt', 'auto', {
        onTransportFallback: (info) => fallbacks.push(info),
      }),
    );
    const request = { model: 'gpt-5.4', messages: userMessage('hi') };

    const first = await provider.complete(request, { sessionId: 'fallback-session' });
    expect(first.text.length).toBeGreaterThan(0);
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatchObject({ sessionId: 'fallback-session', endpointWide: true });
    const firstTransports = harness.responsesRequests().map((recorded) => recorded.transport);
    expect(firstTransports.at(-1)).toBe('http');

    harness.emulator.clearRequests();
    await provider.complete(request, { sessionId: 'fallback-session' });
    await provider.complete(request, { sessionId: 'another-session' });
    expect(fallbacks).toHaveLength(1);
    expect(harness.responsesRequests().map((recorded) => recorded.transport)).toEqual(['http', 'http']);
  });

  it('falls back when the socket closes with 1006 before any event', { timeout: 10_000 }, async () => {
    const fallbacks: TransportFallbackInfo[] = [];
    const provider = harness.track(
      providerFor(harness.emulator, 'api-key', 'auto', {
        onTransportFallback: (info) => fallbacks.push(info),
      }),
    );
    const chunks = await collect(
      provider.completeStream(
        { model: 'gpt-5.4', messages: userMessage('[scenario:ws-close-1006] hi') },
        { sessionId: 'close-session' },
      ),
    );
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]?.endpointWide).toBe(false);
    expect(chunks.at(-1)?.type).toBe('done');
    expect(harness.responsesRequests().map((recorded) => recorded.transport)).toEqual(['websocket', 'http']);

    // The session stays on HTTP for the next turn.
    harness.emulator.clearRequests();
    await provider.complete(
      { model: 'gpt-5.4', messages: userMessage('again') },
      { sessionId: 'close-session' },
    );
    expect(harness.responsesRequests().map((recorded) => recorded.transport)).toEqual(['http']);
  });

  it.each(['auto', 'websocket', 'http'] as const)(
    'reports one error and no duplicate text when the stream breaks after output started (%s)',
    { timeout: 10_000 },
    async (transport) => {
      const fallbacks: TransportFallbackInfo[] = [];
      const provider = harness.track(
        providerFor(harness.emulator, 'api-key', transport, {
          onTransportFallback: (info) => fallbacks.push(info),
        }),
      );
      const chunks = await collect(
        provider.completeStream({ model: 'gpt-5.4', messages: userMessage('[scenario:disconnect] hi') }),
      );
      expect(chunks.filter((chunk) => chunk.type === 'text').length).toBeGreaterThan(0);
      expect(chunks.at(-1)?.type).toBe('error');
      expect(chunks.filter((chunk) => chunk.type === 'error')).toHaveLength(1);
      expect(chunks.some((chunk) => chunk.type === 'done')).toBe(false);
      // Nothing was replayed: one request, so no text was sent twice.
      expect(fallbacks).toHaveLength(0);
      expect(harness.responsesRequests()).toHaveLength(1);
    },
  );

  it('falls back when the socket closes with 1011 before any event', { timeout: 10_000 }, async () => {
    const fallbacks: TransportFallbackInfo[] = [];
    const provider = harness.track(
      providerFor(harness.emulator, 'chatgpt', 'auto', {
        onTransportFallback: (info) => fallbacks.push(info),
      }),
    );
    const completion = await provider.complete(
      { model: 'gpt-5.4', messages: userMessage('[scenario:ws-close-1011] hi') },
      { sessionId: 'close-1011' },
    );
    expect(completion.text.length).toBeGreaterThan(0);
    expect(fallbacks).toMatchObject([{ sessionId: 'close-1011', endpointWide: false }]);
    expect(harness.responsesRequests().map((recorded) => recorded.transport)).toEqual(['websocket', 'http']);
  });

  it('does not fall back when the WebSocket is forced', { timeout: 10_000 }, async () => {
    harness.emulator.setOptions({ websocket: false });
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'websocket'));
    const error = await expectProviderError(
      provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') }),
      'invalid-request',
    );
    expect(error.status).toBe(426);
    expect(harness.responsesRequests().filter((recorded) => recorded.transport === 'http')).toHaveLength(0);
  });
});

describe('auth handling', () => {
  it.each(transports)(
    'refreshes once and retries after a 401 on a token that looked valid (%s)',
    { timeout: 10_000 },
    async (transport) => {
      const rejectedToken = 'header.eyJleHAiOjk5OTk5OTk5OTl9.signature';
      const store = createMemoryCredentialStore(
        emulatorCredentials(harness.emulator, { accessToken: rejectedToken }),
      );
      const fallbacks: TransportFallbackInfo[] = [];
      const provider = harness.track(
        providerFor(harness.emulator, 'chatgpt', transport, {
          store,
          onTransportFallback: (info) => fallbacks.push(info),
        }),
      );
      const completion = await provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') });
      expect(completion.text.length).toBeGreaterThan(0);
      expect(harness.emulator.requests.filter((request) => request.path === '/oauth/token')).toHaveLength(1);
      const wire = transport === 'http' ? 'http' : 'websocket';
      expect(harness.responsesRequests().map((recorded) => recorded.transport)).toEqual([wire, wire]);
      // A 401 is about the credentials, not the wire: no fallback.
      expect(fallbacks).toHaveLength(0);
      const stored = await store.read();
      expect(stored?.tokens.accessToken).not.toBe(rejectedToken);
    },
  );

  it('reports unauthorized when the refreshed token is still rejected', { timeout: 10_000 }, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'chatgpt', 'http'));
    const error = await expectProviderError(
      provider.complete({ model: 'gpt-5.4', messages: userMessage('[scenario:unauthorized] hi') }),
      'unauthorized',
    );
    expect(error.message).toContain('codetether auth login');
    expect(harness.emulator.requests.filter((request) => request.path === '/oauth/token')).toHaveLength(1);
  });

  it('rejects a ChatGPT login without an account id before sending anything', async () => {
    const payload = Buffer.from(JSON.stringify({ exp: 9_999_999_999 })).toString('base64url');
    const token = `eyJhbGciOiJub25lIn0.${payload}.sig`;
    const store = createMemoryCredentialStore({
      type: 'chatgpt',
      tokens: { accessToken: token, refreshToken: 'r', idToken: token, expiresAt: Date.now() + 3_600_000 },
      lastRefreshAt: Date.now(),
      source: 'login',
    });
    const provider = harness.track(providerFor(harness.emulator, 'chatgpt', 'http', { store }));
    const error = await expectProviderError(
      provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') }),
      'missing-account-id',
    );
    expect(error.message).toContain('codetether auth login --device-code');
    expect(harness.responsesRequests()).toHaveLength(0);
  });

  it.each(['http', 'websocket'] as const)(
    'turns a workspace rejection into missing-account-id without refreshing (%s)',
    { timeout: 10_000 },
    async (transport) => {
      const store = createMemoryCredentialStore({
        ...emulatorCredentials(harness.emulator),
        accountId: 'some-other-workspace',
      });
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', transport, { store }));
      const error = await expectProviderError(
        provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') }),
        'missing-account-id',
      );
      expect(error.status).toBe(401);
      expect(error.message).toContain('codetether auth login --device-code');
      expect(harness.emulator.requests.filter((request) => request.path === '/oauth/token')).toHaveLength(0);
    },
  );

  it('says how to log in when there is neither a login nor OPENAI_API_KEY', async () => {
    const { home, cleanup } = await temporaryHome();
    harness.onCleanup(cleanup);
    const provider = harness.track(
      createCodexProvider({ ...emulatorEndpoints(harness.emulator), env: { CODETETHER_HOME: home } }),
    );
    const error = await expectProviderError(provider.resolveAuth(), 'not-logged-in');
    expect(error.message).toContain('codetether auth login');
    expect(error.message).toContain('OPENAI_API_KEY');
    await expectProviderError(
      collect(provider.completeStream({ model: 'gpt-5.4', messages: userMessage('hi') })),
      'not-logged-in',
    );
  });

  it.each(transports)(
    'reads OPENAI_API_KEY, the base URLs and CODETETHER_TRANSPORT=%s from the environment',
    { timeout: 10_000 },
    async (transport) => {
      const { home, cleanup } = await temporaryHome();
      harness.onCleanup(cleanup);
      const provider = harness.track(
        createCodexProvider({
          env: {
            CODETETHER_HOME: home,
            OPENAI_API_KEY: harness.emulator.createApiKey(),
            CODETETHER_OPENAI_BASE_URL: harness.emulator.openaiBaseUrl,
            CODETETHER_CHATGPT_BASE_URL: harness.emulator.chatgptBaseUrl,
            CODETETHER_TRANSPORT: transport,
            CODETETHER_OPENAI_CODEX_REASONING_EFFORT: 'low',
          },
        }),
      );
      const completion = await provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') });
      expect(completion.finishReason).toBe('stop');
      const recorded = harness.responsesRequests().at(-1)!;
      expect(recorded.path).toBe('/v1/responses');
      expect(recorded.transport).toBe(transport === 'http' ? 'http' : 'websocket');
      expect((recorded.body as { reasoning?: unknown }).reasoning).toMatchObject({ effort: 'low' });
    },
  );

  it('auto mode prefers a stored ChatGPT login over OPENAI_API_KEY', { timeout: 10_000 }, async () => {
    const { home, cleanup } = await temporaryHome();
    harness.onCleanup(cleanup);
    const apiKey = harness.emulator.createApiKey();
    const env = {
      CODETETHER_HOME: home,
      OPENAI_API_KEY: apiKey,
      CODETETHER_AUTH_ISSUER: harness.emulator.issuerUrl,
      CODETETHER_CHATGPT_BASE_URL: harness.emulator.chatgptBaseUrl,
      CODETETHER_OPENAI_BASE_URL: harness.emulator.openaiBaseUrl,
      CODETETHER_TRANSPORT: 'http',
    };
    const apiKeyProvider = harness.track(createCodexProvider({ env }));
    expect(await apiKeyProvider.resolveAuth()).toMatchObject({ mode: 'api-key', backend: 'openai' });
    await apiKeyProvider.complete({ model: 'gpt-5.4', messages: userMessage('hi') });
    expect(harness.responsesRequests().at(-1)?.path).toBe('/v1/responses');

    await createFileCredentialStore({ home }).write(emulatorCredentials(harness.emulator));
    const provider = harness.track(createCodexProvider({ env }));
    const description = await provider.resolveAuth();
    expect(description).toMatchObject({ mode: 'chatgpt', backend: 'chatgpt', planType: 'plus' });
    expect(description.accountId).toBeTruthy();
    await provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') });
    expect(harness.responsesRequests().at(-1)?.path).toBe('/backend-api/codex/responses');
  });
});

describe('errors', () => {
  it('rejects an unsupported model for a ChatGPT login without a request', async () => {
    const provider = harness.track(providerFor(harness.emulator, 'chatgpt', 'auto'));
    const error = await expectProviderError(
      collect(provider.completeStream({ model: 'gpt-5.4-pro', messages: userMessage('hi') })),
      'unsupported-model',
    );
    expect(error.message).toContain(
      'with a ChatGPT plus plan. Supported models: gpt-5.5, gpt-5.4, gpt-5.4-mini',
    );
    await expectProviderError(provider.validateModel('gpt-5.4-pro'), 'unsupported-model');
    expect(harness.responsesRequests()).toHaveLength(0);
  });

  it.each(['http', 'websocket'] as const)(
    'maps a usage limit to usage-limit-reached with the reset time (%s)',
    { timeout: 10_000 },
    async (transport) => {
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', transport));
      const error = await expectProviderError(
        provider.complete({ model: 'gpt-5.4', messages: userMessage('[scenario:rate-limited] hi') }),
        'usage-limit-reached',
      );
      expect(error.isRetryable).toBe(false);
      expect(error.resetsAt).toBeGreaterThan(0);
      expect(error.message).toMatch(
        /You have hit your ChatGPT usage limit( \(\w+ plan\))?\. Try again in ~\d+ min\./,
      );
    },
  );

  it('turns a failed response into an error chunk', { timeout: 10_000 }, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'http'));
    const chunks = await collect(
      provider.completeStream({ model: 'gpt-5.4', messages: userMessage('[scenario:failed] hi') }),
    );
    expect(chunks.at(-1)?.type).toBe('error');
  });

  it.each(['websocket', 'http'] as const)(
    'stops when aborted mid-stream (%s)',
    { timeout: 15_000 },
    async (transport) => {
      // Slow pacing so the whole answer would take seconds: the abort must cut it short.
      harness.emulator.setOptions({ eventDelayMs: 150 });
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', transport));
      const controller = new AbortController();
      const chunks: StreamChunk[] = [];
      let textAfterAbort = 0;
      for await (const chunk of provider.completeStream(
        { model: 'gpt-5.4', messages: userMessage('[scenario:slow] tell me a story') },
        { signal: controller.signal },
      )) {
        if (controller.signal.aborted && chunk.type === 'text') textAfterAbort += 1;
        chunks.push(chunk);
        if (chunk.type === 'text' && !controller.signal.aborted) controller.abort();
      }
      expect(textAfterAbort).toBe(0);
      expect(chunks.filter((chunk) => chunk.type === 'text')).toHaveLength(1);
      expect(chunks.some((chunk) => chunk.type === 'done')).toBe(false);
      expect(chunks.at(-1)).toMatchObject({ type: 'error', code: 'aborted' });
    },
  );

  it('throws aborted before sending when the signal is already aborted', async () => {
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'http'));
    const controller = new AbortController();
    controller.abort();
    await expectProviderError(
      collect(
        provider.completeStream(
          { model: 'gpt-5.4', messages: userMessage('hi') },
          { signal: controller.signal },
        ),
      ),
      'aborted',
    );
    expect(harness.responsesRequests()).toHaveLength(0);
  });
});

describe('createResponseStream', () => {
  it.each(transports)(
    'applies the ChatGPT backend fixes to a client body (%s)',
    { timeout: 10_000 },
    async (transport) => {
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', transport));
      const response = await provider.createResponseStream(
        { model: 'gpt-5.4-fast:high', input: 'hello', max_output_tokens: 100, store: true },
        { sessionId: 'passthrough' },
      );
      expect(response.transport).toBe(transport === 'http' ? 'http' : 'websocket');
      const events = (await collect(response.events)) as Array<{ type: string }>;
      expect(events.at(-1)).toMatchObject({ type: 'response.completed' });
      expect(events.some((event) => event.type === 'response.output_text.delta')).toBe(true);
      const body = harness.responsesRequests().at(-1)!.body as Record<string, unknown>;
      expect(body).toMatchObject({
        model: 'gpt-5.4',
        service_tier: 'priority',
        reasoning: { effort: 'high' },
        store: false,
        prompt_cache_key: 'passthrough',
      });
      expect(body.max_output_tokens).toBeUndefined();
      expect(Array.isArray(body.input)).toBe(true);
      expect(typeof body.instructions).toBe('string');
    },
  );

  it.each(transports)(
    'leaves out of a client body what the ChatGPT backend refuses, keeps it for the OpenAI API (%s)',
    { timeout: 10_000 },
    async (transport) => {
      const refused = {
        temperature: 0.2,
        top_p: 0.9,
        frequency_penalty: 0.1,
        presence_penalty: 0.1,
        metadata: { run: 'a' },
        user: 'user-1',
        safety_identifier: 'hashed',
        prompt_cache_retention: '24h',
        max_tokens: 10,
        max_completion_tokens: 10,
      };
      for (const mode of ['chatgpt', 'api-key'] as const) {
        const provider = harness.track(providerFor(harness.emulator, mode, transport));
        const response = await provider.createResponseStream(
          { model: 'gpt-5.4', input: '[scenario:text] hello', ...refused },
          { sessionId: `refused-${mode}` },
        );
        const events = (await collect(response.events)) as Array<{ type: string }>;
        expect(events.at(-1)).toMatchObject({ type: 'response.completed' });
        const body = harness.responsesRequests().at(-1)!.body as Record<string, unknown>;
        for (const [field, value] of Object.entries(refused))
          expect(body[field]).toEqual(mode === 'chatgpt' ? undefined : value);
      }
    },
  );

  it.each(['http', 'websocket'] as const)(
    'records rate limits from response headers (%s)',
    { timeout: 10_000 },
    async (transport) => {
      harness.emulator.setOptions({
        rateLimit: {
          primaryUsedPercent: 42,
          secondaryUsedPercent: 7,
          planType: 'pro',
          incrementPerRequest: 0,
        },
      });
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', transport));
      expect(provider.lastRateLimits).toBeUndefined();
      await provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') });
      expect(provider.lastRateLimits?.primary?.usedPercent).toBe(42);
      expect(provider.lastRateLimits?.secondary?.usedPercent).toBe(7);
      expect(provider.lastRateLimits?.primary?.windowMinutes).toBe(300);
      expect(provider.lastRateLimits?.planType).toBe('pro');
    },
  );

  it.each(['websocket', 'http'] as const)(
    'stops a passthrough stream when aborted (%s)',
    { timeout: 15_000 },
    async (transport) => {
      harness.emulator.setOptions({ eventDelayMs: 150 });
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', transport));
      const controller = new AbortController();
      const response = await provider.createResponseStream(
        { model: 'gpt-5.4', input: '[scenario:slow] tell me a story' },
        { signal: controller.signal },
      );
      const seen: string[] = [];
      const error = await (async () => {
        try {
          for await (const event of response.events) {
            seen.push(event.type);
            if (event.type === 'response.output_text.delta') controller.abort();
          }
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(CodexProviderError);
      expect((error as CodexProviderError).code).toBe('aborted');
      expect(seen.filter((type) => type === 'response.output_text.delta')).toHaveLength(1);
      expect(seen).not.toContain('response.completed');
    },
  );

  it('passes a client body through to the OpenAI API with an API key', { timeout: 10_000 }, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'auto'));
    const response = await provider.createResponseStream({
      model: 'gpt-5.4',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      max_output_tokens: 64,
    });
    const events = (await collect(response.events)) as Array<{ type: string }>;
    expect(events.at(-1)).toMatchObject({ type: 'response.completed' });
    const recorded = harness.responsesRequests().at(-1)!;
    expect(recorded.path).toBe('/v1/responses');
    expect((recorded.body as Record<string, unknown>).max_output_tokens).toBe(64);
  });
});
