import { describe, expect, it } from 'vitest';
import { providerFor, useEmulatorHarness } from './__fixtures__/emulator-harness.js';
import { CodexProviderError } from './errors.js';

const TIMEOUT = { timeout: 20_000 };

describe('provider.countInputTokens', () => {
  const harness = useEmulatorHarness();
  const countRequests = () =>
    harness.emulator.requests.filter((request) => request.path.endsWith('/responses/input_tokens'));

  it("answers the OpenAI API's count with an API key, the model alias resolved", TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'http'));
    const count = await provider.countInputTokens({ model: 'gpt-5.4:high', input: 'x'.repeat(400) });
    // The emulator's count: 40 + a token per 4 characters of the input as JSON (402).
    expect(count).toBe(141);
    expect(countRequests().map((request) => (request.body as { model?: unknown }).model)).toEqual([
      'gpt-5.4',
    ]);
  });

  it('answers undefined for a ChatGPT login, without a request', TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'chatgpt', 'http'));
    expect(await provider.countInputTokens({ model: 'gpt-5.4', input: 'x' })).toBeUndefined();
    expect(countRequests()).toHaveLength(0);
  });

  it("passes the upstream's refusal on with its status and param", TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'http'));
    const failure = await provider
      .countInputTokens({ model: 'gpt-5.4', input: 42 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CodexProviderError);
    expect(failure).toMatchObject({ status: 400, upstreamError: { param: 'input' } });
  });

  it('stops at once when its signal aborts', TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'http'));
    const failure = await provider
      .countInputTokens({ model: 'gpt-5.4', input: 'x' }, { signal: AbortSignal.abort() })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'aborted' });
    expect(countRequests()).toHaveLength(0);
  });
});
