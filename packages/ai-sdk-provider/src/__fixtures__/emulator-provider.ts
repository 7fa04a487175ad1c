import { type Emulator, startEmulator } from '@codetether/emulator';
import { createMemoryCredentialStore } from '@codetether/oauth-pkce';
import type { TransportMode } from '@codetether/provider-codex';
import { jsonSchema, tool } from 'ai';
import { type CodetetherProvider, createCodetether } from '../codetether-provider.js';

/** The auth modes the tests cover. */
export type TestAuthMode = 'chatgpt' | 'api-key';

/** Every auth mode × transport pair. */
export const AUTH_AND_TRANSPORTS: [TestAuthMode, TransportMode][] = [
  ['chatgpt', 'websocket'],
  ['chatgpt', 'http'],
  ['api-key', 'websocket'],
  ['api-key', 'http'],
];

/** Starts an emulator on a random port of 127.0.0.1. */
export function startTestEmulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  return startEmulator({ host: '127.0.0.1', port: 0, ...options });
}

/** A stored ChatGPT login issued by the emulator. */
export function emulatorLogin(emulator: Emulator) {
  const tokens = emulator.issueTokens({ planType: 'plus', email: 'user@example.com' });
  return {
    type: 'chatgpt' as const,
    tokens: {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      idToken: tokens.idToken,
      expiresAt: tokens.expiresAt,
    },
    accountId: tokens.accountId,
    lastRefreshAt: Date.now(),
    source: 'login' as const,
  };
}

/** A codetether provider for one auth mode and transport, pointed at the emulator. */
export function codetetherFor(
  emulator: Emulator,
  mode: TestAuthMode,
  transport: TransportMode,
): CodetetherProvider {
  return createCodetether({
    env: {},
    issuer: emulator.issuerUrl,
    chatgptBaseUrl: emulator.chatgptBaseUrl,
    openaiBaseUrl: emulator.openaiBaseUrl,
    transport,
    auth:
      mode === 'chatgpt'
        ? { type: 'chatgpt', store: createMemoryCredentialStore(emulatorLogin(emulator)) }
        : { type: 'api-key', apiKey: emulator.createApiKey() },
  });
}

/** The Responses requests the emulator received (WebSocket frames and HTTP posts). */
export function responsesRequests(emulator: Emulator) {
  return emulator.requests.filter(
    (request) => request.method === 'POST' && request.path.endsWith('/responses'),
  );
}

/** The `input` items of the `index`-th Responses request. */
export function inputOf(emulator: Emulator, index: number): Record<string, unknown>[] {
  const body = responsesRequests(emulator)[index]?.body as { input?: Record<string, unknown>[] } | undefined;
  return body?.input ?? [];
}

/** A tool with `execute`: the weather of a city. */
export const weatherTool = tool({
  description: 'Current weather for a city',
  inputSchema: jsonSchema<{ city: string }>({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
  execute: async ({ city }) => ({ city, temperature: '21C', sky: 'clear' }),
});
