import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, type RecordedRequest, startEmulator } from '@codetether/emulator';
import {
  type CredentialStore,
  createMemoryCredentialStore,
  type StoredChatGptCredentials,
} from '@codetether/oauth-pkce';
import { afterEach, beforeEach, expect } from 'vitest';
import type { TransportMode } from '../configuration.js';
import { CodexProviderError } from '../errors.js';
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

/** A `CODETETHER_HOME` of this test process (model-list caches), never the user's own. */
const TEST_HOME = mkdtempSync(join(tmpdir(), 'codetether-provider-home-'));

/** Options pointing a provider at the emulator, with an environment holding only a test `CODETETHER_HOME`. */
export function emulatorEndpoints(
  emulator: Emulator,
): Pick<CodexProviderOptions, 'issuer' | 'chatgptBaseUrl' | 'openaiBaseUrl' | 'env'> {
  return {
    env: { CODETETHER_HOME: TEST_HOME },
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

/** What {@link useEmulatorHarness} gives a test file. */
export interface EmulatorHarness {
  /** The emulator of the current test (a fresh one per test). */
  readonly emulator: Emulator;
  /** Replaces the current test's emulator with one started with `options` (e.g. a fixed clock). */
  restartEmulator(options: Parameters<typeof startEmulator>[0]): Promise<Emulator>;
  /** Closes `provider` after the test; returns it. */
  track<T extends CodexProvider>(provider: T): T;
  /** Runs `cleanup` after the test (after the providers are closed). */
  onCleanup(cleanup: () => Promise<void>): void;
  /** The `/responses` requests the emulator received (HTTP and WebSocket). */
  responsesRequests(): RecordedRequest[];
  /** The `/oauth/token` requests the emulator received. */
  tokenRequests(): RecordedRequest[];
}

/**
 * Registers a `beforeEach` that starts an emulator and an `afterEach` that closes the providers, the
 * emulator and whatever else the test registered. Call once at the top of a test file.
 */
export function useEmulatorHarness(): EmulatorHarness {
  let emulator: Emulator | undefined;
  const providers: CodexProvider[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    emulator = await startTestEmulator();
  });
  afterEach(async () => {
    for (const provider of providers.splice(0)) await provider.close();
    await emulator?.close();
    emulator = undefined;
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const current = (): Emulator => {
    if (emulator === undefined) throw new Error('The emulator runs only inside a test.');
    return emulator;
  };
  return {
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get emulator() {
      return current();
    },
    async restartEmulator(options) {
      await current().close();
      emulator = await startTestEmulator(options);
      return emulator;
    },
    track(provider) {
      providers.push(provider);
      return provider;
    },
    onCleanup(cleanup) {
      cleanups.push(cleanup);
    },
    responsesRequests: () => current().requests.filter((request) => request.path.endsWith('/responses')),
    tokenRequests: () => current().requests.filter((request) => request.path === '/oauth/token'),
  };
}

/** Awaits `promise`, which must reject with a {@link CodexProviderError} (of `code`, when given). */
export async function expectProviderError(
  promise: Promise<unknown>,
  code?: string,
): Promise<CodexProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CodexProviderError);
    if (code !== undefined) expect((error as CodexProviderError).code).toBe(code);
    return error as CodexProviderError;
  }
  throw new Error(`expected a CodexProviderError${code === undefined ? '' : ` with code ${code}`}`);
}
