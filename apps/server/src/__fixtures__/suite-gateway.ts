import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
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
