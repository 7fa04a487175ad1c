import { describe, expect, it } from 'vitest';
import { providerFor, useEmulatorHarness } from './__fixtures__/emulator-harness.js';
import { CodexProviderError } from './errors.js';

const TIMEOUT = { timeout: 20_000 };

describe('provider.createEmbeddings', () => {
  const harness = useEmulatorHarness();
  const embeddingRequests = () =>
    harness.emulator.requests.filter((request) => request.path.endsWith('/embeddings'));

  it("answers the OpenAI API's embeddings with an API key, the body sent as it is", TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'http'));
    const body = { model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 4, user: 'u-1' };
    const answer = await provider.createEmbeddings(body);
    expect(answer?.status).toBe(200);
    expect(answer?.body).toMatchObject({ object: 'list', data: [{ index: 0 }, { index: 1 }] });
    expect(embeddingRequests().map((request) => request.body)).toEqual([body]);
  });

  it('answers undefined for a ChatGPT login, without a request', TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'chatgpt', 'http'));
    expect(await provider.createEmbeddings({ model: 'text-embedding-3-small', input: 'x' })).toBeUndefined();
    expect(embeddingRequests()).toHaveLength(0);
  });

  it("passes the upstream's refusal on with its status and param", TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'http'));
    const failure = await provider
      .createEmbeddings({ model: 'text-embedding-3-small', input: '' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CodexProviderError);
    expect(failure).toMatchObject({ status: 400, upstreamError: { param: 'input' } });
  });

  it('stops at once when its signal aborts', TIMEOUT, async () => {
    const provider = harness.track(providerFor(harness.emulator, 'api-key', 'http'));
    const failure = await provider
      .createEmbeddings({ model: 'text-embedding-3-small', input: 'x' }, { signal: AbortSignal.abort() })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'aborted' });
    expect(embeddingRequests()).toHaveLength(0);
  });
});
