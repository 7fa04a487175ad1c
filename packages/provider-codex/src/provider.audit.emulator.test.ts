import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createFileCredentialStore, createMemoryCredentialStore } from '@codetether/oauth-pkce';
import type { ChatMessage, ResponsesTransport, StreamChunk } from '@codetether/responses-protocol';
import { createHttpTransport } from '@codetether/transport-http';
import { createWebSocketTransport } from '@codetether/transport-ws';
import { describe, expect, it } from 'vitest';
import {
  emulatorCredentials,
  emulatorEndpoints,
  expectProviderError,
  providerFor,
  temporaryHome,
  useEmulatorHarness,
} from './__fixtures__/emulator-harness.js';
import type { TransportMode } from './configuration.js';
import { type CodexProvider, createCodexProvider } from './provider.js';

function userMessage(text: string): ChatMessage[] {
  return [{ role: 'user', content: text }];
}

/** Everything an error could reveal when logged: message, fields and the whole cause chain. */
function everythingVisible(value: unknown): string {
  return `${inspect(value, { depth: 20, showHidden: true })}\n${String(value)}\n${JSON.stringify(value) ?? ''}`;
}

/** A real transport whose event streams record whether the provider closed them. */
function instrumented(inner: ResponsesTransport): ResponsesTransport & { closedStreams: () => number } {
  let closed = 0;
  return {
    closedStreams: () => closed,
    async stream(request) {
      const response = await inner.stream(request);
      const source = response.events;
      return {
        ...response,
        events: {
          [Symbol.asyncIterator]() {
            const iterator = source[Symbol.asyncIterator]();
            return {
              next: () => iterator.next(),
              async return(value?: unknown) {
                closed += 1;
                return (await iterator.return?.(value)) ?? { done: true as const, value: undefined };
              },
            };
          },
        } as typeof source,
      };
    },
    close: () => inner.close(),
  };
}

const harness = useEmulatorHarness();

const transports: TransportMode[] = ['auto', 'websocket', 'http'];

describe('usage limit reset time', () => {
  it.each(transports)(
    'says the exact minutes until the reset (%s)',
    { timeout: 15_000 },
    async (transport) => {
      // A fixed clock 700 ms past a whole second: the reset (whole seconds) is 20 min 33.3 s away.
      const fixedNow = Math.floor(Date.now() / 1000) * 1000 + 700;
      await harness.emulator.close();
      await harness.restartEmulator({
        now: () => fixedNow,
        rateLimit: { primaryResetAfterSeconds: 1234, planType: 'plus' },
      });
      const provider = harness.track(
        providerFor(harness.emulator, 'chatgpt', transport, { now: () => fixedNow }),
      );
      const error = await expectProviderError(
        provider.complete({ model: 'gpt-5.4', messages: userMessage('[scenario:rate-limited] hi') }),
      );
      const resetsAt = (Math.floor(fixedNow / 1000) + 1234) * 1000;
      expect(error.code).toBe('usage-limit-reached');
      expect(error.message).toBe('You have hit your ChatGPT usage limit (plus plan). Try again in ~21 min.');
      expect(error.resetsAt).toBe(resetsAt);
      expect(error.retryAfterMs).toBe(resetsAt - fixedNow);
      expect(error.isRetryable).toBe(false);
      // A usage limit is not the wire's fault: no HTTP replay after a WebSocket refusal.
      expect(harness.responsesRequests()).toHaveLength(1);
    },
  );
});

describe('401 handling', () => {
  it.each(transports)(
    'refreshes exactly once, retries once, then gives an actionable message (%s)',
    { timeout: 15_000 },
    async (transport) => {
      const store = createMemoryCredentialStore(emulatorCredentials(harness.emulator));
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', transport, { store }));
      const stored = await store.read();
      const error = await expectProviderError(
        provider.complete({ model: 'gpt-5.4', messages: userMessage('[scenario:unauthorized] hi') }),
      );
      expect(error.code).toBe('unauthorized');
      expect(error.status).toBe(401);
      expect(error.message).toBe(
        'The ChatGPT backend did not accept your ChatGPT login (401): it has expired or was signed out elsewhere. Run `codetether auth login` to sign in again.',
      );
      expect(harness.tokenRequests()).toHaveLength(1);
      // Over HTTP only HTTP requests are this provider's: a refused WebSocket handshake recorded here
      // comes from a client of another test that reached this emulator's port after its own emulator
      // closed (ports are reused across the parallel test workers).
      const requests = harness
        .responsesRequests()
        .filter((request) => transport !== 'http' || request.transport === 'http');
      expect(requests).toHaveLength(2);
      const visible = everythingVisible(error);
      const refreshed = await store.read();
      for (const secret of [
        stored?.tokens.accessToken,
        stored?.tokens.refreshToken,
        refreshed?.tokens.accessToken,
        refreshed?.tokens.refreshToken,
      ]) {
        expect(visible).not.toContain(secret);
      }
    },
  );

  it.each(transports)(
    'reports a wrong API key without refreshing and without the key (%s)',
    { timeout: 15_000 },
    async (transport) => {
      const apiKey = 'sk-wrong-key-0123456789abcdef';
      const provider = harness.track(
        createCodexProvider({
          ...emulatorEndpoints(harness.emulator),
          auth: { type: 'api-key', apiKey },
          transport,
        }),
      );
      const error = await expectProviderError(
        provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') }),
      );
      expect(error.code).toBe('unauthorized');
      expect(error.message).toBe(
        'The OpenAI API rejected the credentials (401): Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys. Check that the OpenAI API key (OPENAI_API_KEY) is valid and active, or run `codetether auth login` to use a ChatGPT subscription instead.',
      );
      expect(harness.responsesRequests()).toHaveLength(1);
      expect(harness.tokenRequests()).toHaveLength(0);
      expect(everythingVisible(error)).not.toContain(apiKey);
      expect(everythingVisible(provider)).not.toContain(apiKey);
    },
  );
});

/** Runs 6 completions at once, each in its own session, and expects all of them to finish. */
async function expectSixConcurrentCompletions(provider: CodexProvider): Promise<void> {
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, index) =>
      provider.complete(
        { model: 'gpt-5.4', messages: userMessage(`hi ${index}`) },
        { sessionId: `s${index}` },
      ),
    ),
  );
  expect(results.every((result) => result.finishReason === 'stop')).toBe(true);
}

describe('concurrent calls share one token refresh', () => {
  it.each(['websocket', 'http'] as const)(
    'an expired token is refreshed once for 6 concurrent streams (%s)',
    { timeout: 20_000 },
    async (transport) => {
      const store = createMemoryCredentialStore(
        emulatorCredentials(harness.emulator, { expiresAt: Date.now() - 60_000 }),
      );
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', transport, { store }));
      await expectSixConcurrentCompletions(provider);
      expect(harness.tokenRequests()).toHaveLength(1);
      const sent = new Set(harness.responsesRequests().map((request) => request.headers.authorization));
      expect(sent.size).toBe(1);
    },
  );

  it.each(['websocket', 'http'] as const)(
    'a token the server rejects is force-refreshed once for 6 concurrent streams (%s)',
    { timeout: 20_000 },
    async (transport) => {
      const rejected = 'header.eyJleHAiOjk5OTk5OTk5OTl9.signature';
      const store = createMemoryCredentialStore(
        emulatorCredentials(harness.emulator, { accessToken: rejected }),
      );
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', transport, { store }));
      await expectSixConcurrentCompletions(provider);
      expect(harness.tokenRequests()).toHaveLength(1);
      expect((await store.read())?.tokens.accessToken).not.toBe(rejected);
    },
  );
});

describe('abort mid-stream', () => {
  it.each(['websocket', 'http'] as const)(
    'closes the transport stream and the session can go on at once (%s)',
    { timeout: 20_000 },
    async (wire) => {
      harness.emulator.setOptions({ eventDelayMs: 100 });
      const inner: ResponsesTransport =
        wire === 'websocket' ? createWebSocketTransport() : createHttpTransport();
      harness.onCleanup(() => inner.close());
      const transport = instrumented(inner);
      const provider = harness.track(
        providerFor(harness.emulator, 'api-key', wire, {
          ...(wire === 'websocket' ? { webSocketTransport: transport } : { httpTransport: transport }),
        }),
      );
      const controller = new AbortController();
      const chunks: StreamChunk[] = [];
      for await (const chunk of provider.completeStream(
        { model: 'gpt-5.4', messages: userMessage('[scenario:slow] tell me a story') },
        { signal: controller.signal, sessionId: 'abort-session' },
      )) {
        chunks.push(chunk);
        if (chunk.type === 'text') controller.abort();
      }
      expect(chunks.at(-1)).toMatchObject({ type: 'error', code: 'aborted' });
      expect(transport.closedStreams()).toBe(1);

      // The same session (and, over the WebSocket, the pooled connection) is usable right away.
      harness.emulator.setOptions({ eventDelayMs: 0 });
      const next = await provider.complete(
        { model: 'gpt-5.4', messages: userMessage('[scenario:text] again') },
        { sessionId: 'abort-session' },
      );
      expect(next.finishReason).toBe('stop');
      expect(harness.responsesRequests().map((request) => request.transport)).toEqual([wire, wire]);
    },
  );

  it('closes the stream when the consumer stops reading early', { timeout: 15_000 }, async () => {
    const inner = createWebSocketTransport();
    harness.onCleanup(() => inner.close());
    const transport = instrumented(inner);
    const provider = harness.track(
      providerFor(harness.emulator, 'chatgpt', 'websocket', { webSocketTransport: transport }),
    );
    for await (const chunk of provider.completeStream({
      model: 'gpt-5.4',
      messages: userMessage('[scenario:slow] story'),
    })) {
      if (chunk.type === 'text') break;
    }
    expect(transport.closedStreams()).toBe(1);
  });
});

describe('environment configuration', () => {
  it('reads a login from CODETETHER_HOME/auth.json and refreshes it at CODETETHER_AUTH_ISSUER', {
    timeout: 15_000,
  }, async () => {
    const { home, cleanup } = await temporaryHome();
    harness.onCleanup(cleanup);
    const store = createFileCredentialStore({ home });
    const expired = emulatorCredentials(harness.emulator, { expiresAt: Date.now() - 1000 });
    await store.write(expired);
    const provider = harness.track(
      createCodexProvider({
        env: {
          CODETETHER_HOME: home,
          CODETETHER_AUTH_ISSUER: harness.emulator.issuerUrl,
          CODETETHER_CHATGPT_BASE_URL: harness.emulator.chatgptBaseUrl,
          CODETETHER_OPENAI_BASE_URL: `${harness.emulator.url}/not-used`,
          CODETETHER_TRANSPORT: 'websocket',
          OPENAI_API_KEY: 'sk-ignored-because-a-login-exists',
        },
      }),
    );
    const description = await provider.resolveAuth();
    expect(description).toMatchObject({ mode: 'chatgpt', location: join(home, 'auth.json') });
    const completion = await provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') });
    expect(completion.finishReason).toBe('stop');
    expect(harness.tokenRequests()).toHaveLength(1);
    expect(harness.responsesRequests().map((request) => [request.path, request.transport])).toEqual([
      ['/backend-api/codex/responses', 'websocket'],
    ]);
    const file = JSON.parse(await readFile(join(home, 'auth.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(file)).not.toContain(expired.tokens.refreshToken);
  });

  it('rejects an unknown CODETETHER_TRANSPORT clearly, before sending anything', async () => {
    const provider = harness.track(
      createCodexProvider({
        env: {
          OPENAI_API_KEY: harness.emulator.createApiKey(),
          CODETETHER_OPENAI_BASE_URL: harness.emulator.openaiBaseUrl,
          CODETETHER_TRANSPORT: 'carrier-pigeon',
        },
      }),
    );
    const error = await expectProviderError(
      provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') }),
    );
    expect(error.code).toBe('invalid-request');
    expect(error.message).toBe(
      "Unknown transport 'carrier-pigeon' in CODETETHER_TRANSPORT. Use one of: auto, websocket, http.",
    );
    const passthrough = await expectProviderError(
      provider.createResponseStream({ model: 'gpt-5.4', input: 'hi' }),
    );
    expect(passthrough.code).toBe('invalid-request');
    expect(harness.responsesRequests()).toHaveLength(0);
  });

  it('reports a corrupt CODETETHER_HOME/auth.json with the path and what to do', async () => {
    const { home, cleanup } = await temporaryHome();
    harness.onCleanup(cleanup);
    await writeFile(join(home, 'auth.json'), '{not json', { mode: 0o600 });
    const provider = harness.track(
      createCodexProvider({
        env: { CODETETHER_HOME: home, OPENAI_API_KEY: harness.emulator.createApiKey() },
      }),
    );
    const error = await expectProviderError(provider.resolveAuth());
    expect(error.code).toBe('not-logged-in');
    expect(error.message).toContain(join(home, 'auth.json'));
    expect(error.message).toContain('codetether auth login');
    expect(error.message).not.toMatch(/\.\.|\.\)\./);
  });
});

describe('secrets', () => {
  it('never shows the token, refresh token or API key when the provider is inspected', {
    timeout: 15_000,
  }, async () => {
    const credentials = emulatorCredentials(harness.emulator);
    const provider = harness.track(
      providerFor(harness.emulator, 'chatgpt', 'http', { store: createMemoryCredentialStore(credentials) }),
    );
    await provider.complete({ model: 'gpt-5.4', messages: userMessage('hi') });
    const description = await provider.resolveAuth();
    const visible = `${everythingVisible(provider)}${everythingVisible(description)}`;
    expect(visible).not.toContain(credentials.tokens.accessToken);
    expect(visible).not.toContain(credentials.tokens.refreshToken);

    const apiKey = harness.emulator.createApiKey();
    const apiProvider = createCodexProvider({
      ...emulatorEndpoints(harness.emulator),
      auth: { type: 'api-key', apiKey },
    });
    harness.onCleanup(() => apiProvider.close());
    await apiProvider.complete({ model: 'gpt-5.4', messages: userMessage('hi') });
    expect(everythingVisible(apiProvider)).not.toContain(apiKey);
    expect(everythingVisible(await apiProvider.resolveAuth())).not.toContain(apiKey);
  });
});
