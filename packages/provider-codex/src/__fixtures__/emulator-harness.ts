import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@codetether/emulator';
import {
  type CredentialStore,
  createMemoryCredentialStore,
  type StoredChatGptCredentials,
} from '@codetether/oauth-pkce';
import type { TransportMode } from '../configuration.js';
import { type CodexProvider, type CodexProviderOptions, createCodexProvider } from '../provider.js';

/** The auth modes the integration tests cover. */
export type TestAuthMode = 'chatgpt' | 'api-key';

/** Stored credentials for a fresh emulator login. */
export function emulatorCredentials(
  emulator: Emulator,
  overrides: Partial<{ accessToken: string; expiresAt: number }> = {},
): StoredChatGptCredentials {
  const tokens = emulator.issueTokens({ planType: 'plus', email: 'user@example.com' });
  return {
    type: 'chatgpt',
    tokens: {
      accessToken: overrides.accessToken ?? tokens.accessToken,
      refreshToken: tokens.refreshToken,
      idToken: tokens.idToken,
      expiresAt: overrides.expiresAt ?? tokens.expiresAt,
    },
    accountId: tokens.accountId,
    lastRefreshAt: Date.now(),
    source: 'login',
  };
}

/** Options pointing a provider at the emulator, with an empty environment. */
export function emulatorEndpoints(
  emulator: Emulator,
): Pick<CodexProviderOptions, 'issuer' | 'chatgptBaseUrl' | 'openaiBaseUrl' | 'env'> {
  return {
    env: {},
    issuer: emulator.issuerUrl,
    chatgptBaseUrl: emulator.chatgptBaseUrl,
    openaiBaseUrl: emulator.openaiBaseUrl,
  };
}

/** Creates a provider for an auth mode and transport against the emulator. */
export function providerFor(
  emulator: Emulator,
  mode: TestAuthMode,
  transport: TransportMode,
  extra: Partial<CodexProviderOptions> & { store?: CredentialStore } = {},
): CodexProvider {
  const { store, ...rest } = extra;
  const auth: CodexProviderOptions['auth'] =
    mode === 'chatgpt'
      ? { type: 'chatgpt', store: store ?? createMemoryCredentialStore(emulatorCredentials(emulator)) }
      : { type: 'api-key', apiKey: emulator.createApiKey() };
  return createCodexProvider({ ...emulatorEndpoints(emulator), auth, transport, ...rest });
}

/** Starts an emulator (random port on 127.0.0.1). */
export function startTestEmulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  return startEmulator({ host: '127.0.0.1', port: 0, ...options });
}

/** A temporary CODETETHER_HOME, removed by the returned cleanup. */
export async function temporaryHome(): Promise<{ home: string; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'codetether-provider-test-'));
  return { home, cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** Collects every chunk of an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
