import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { type ClientKeyStore, createFileClientKeyStore } from '../client-key-store.js';
import {
  type GatewayHarness,
  type GatewayHarnessOptions,
  startGatewayHarness,
  TEST_SERVER_KEY,
} from './gateway-harness.js';

/** What {@link useSuiteGateway} gives the suite's tests (set before the first test runs). */
export class SuiteGateway {
  /** The running harness. */
  harness!: GatewayHarness;
  /** An `openai` client of the gateway on {@link TEST_SERVER_KEY}, without retries. */
  client!: OpenAI;

  /** An `openai` client of the gateway on another key (e.g. one of `clientKeys`), without retries. */
  clientWithKey(apiKey: string): OpenAI {
    return new OpenAI({ baseURL: this.harness.baseUrl, apiKey, maxRetries: 0 });
  }
}

/** A file client-key store in a fresh temporary folder (for `clientKeys: { store }`). */
export function temporaryClientKeyStore(): ClientKeyStore {
  return createFileClientKeyStore({ home: mkdtempSync(join(tmpdir(), 'codetether-keys-')) });
}

/**
 * Starts a gateway harness (see {@link startGatewayHarness}) before the calling suite's tests, with an
 * `openai` client on it, and closes it after them: the `beforeAll`/`afterAll` pair most emulator suites
 * begin with. Call it in a `describe` body.
 *
 * @param options - the harness options
 */
export function useSuiteGateway(options: GatewayHarnessOptions = {}): SuiteGateway {
  const suite = new SuiteGateway();
  let started: GatewayHarness | undefined;
  beforeAll(async () => {
    started = await startGatewayHarness(options);
    suite.harness = started;
    suite.client = new OpenAI({ baseURL: started.baseUrl, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
  }, 30_000);
  afterAll(async () => {
    await started?.close();
  });
  return suite;
}

/** What {@link useTwoKeySuiteGateway} gives: `client` spends the client key `own`, `otherClient` the key `other`. */
export class TwoKeySuiteGateway extends SuiteGateway {
  /** An `openai` client of the gateway on the client key `other`. */
  otherClient!: OpenAI;
  /** The client key `own` (the one `client` sends). */
  ownKey!: string;
}

/**
 * {@link useSuiteGateway} with two client keys in a fresh file store, `own` and `other` — for suites
 * that check one key's stored objects are not another's: `client` is on `own`, `otherClient` on `other`.
 *
 * @param options - the harness options (its `clientKeys` are these two)
 */
export function useTwoKeySuiteGateway(
  options: Omit<GatewayHarnessOptions, 'clientKeys'> = {},
): TwoKeySuiteGateway {
  const suite = new TwoKeySuiteGateway();
  let started: GatewayHarness | undefined;
  beforeAll(async () => {
    const store = temporaryClientKeyStore();
    const other = (await store.create('other')).key;
    suite.ownKey = (await store.create('own')).key;
    started = await startGatewayHarness({ ...options, clientKeys: { store } });
    suite.harness = started;
    suite.client = suite.clientWithKey(suite.ownKey);
    suite.otherClient = suite.clientWithKey(other);
  }, 30_000);
  afterAll(async () => {
    await started?.close();
  });
  return suite;
}
