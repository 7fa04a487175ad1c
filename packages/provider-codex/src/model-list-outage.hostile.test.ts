import { describe, expect, it } from 'vitest';
import { expectProviderError, providerFor, useEmulatorHarness } from './__fixtures__/emulator-harness.js';

const harness = useEmulatorHarness();

/** A `fetch` to the emulator whose `GET …/models` answers `status` (and counts them). */
function modelsFailingWith(status: number) {
  const models: string[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (new URL(url).pathname.endsWith('/models')) {
      models.push(url);
      return new Response(JSON.stringify({ error: { message: 'try later' } }), { status });
    }
    return fetch(input, init);
  };
  return { fetch: wrapped, models };
}

const hi = [{ role: 'user' as const, content: 'hi' }];

describe('chat while the model list cannot be read', () => {
  it.each([401, 403, 429, 500])(
    'keeps chatting from the bundled list on HTTP %i, asking once',
    async (status) => {
      const upstream = modelsFailingWith(status);
      const provider = harness.track(
        providerFor(harness.emulator, 'chatgpt', 'http', { fetch: upstream.fetch, home: false }),
      );
      for (let turn = 0; turn < 3; turn += 1) {
        expect((await provider.complete({ model: 'gpt-5.4', messages: hi })).text).not.toBe('');
      }
      expect(upstream.models).toHaveLength(1);
    },
  );

  it('sends a well-formed model missing from the bundled list to the backend, asking for the list once', async () => {
    const upstream = modelsFailingWith(500);
    harness.emulator.setOptions({ models: [{ slug: 'gpt-6', display_name: 'GPT-6' }, { slug: 'gpt-5.4' }] });
    const provider = harness.track(
      providerFor(harness.emulator, 'chatgpt', 'http', { fetch: upstream.fetch, home: false }),
    );
    for (let turn = 0; turn < 3; turn += 1) {
      expect((await provider.complete({ model: 'gpt-6', messages: hi })).text).not.toBe('');
    }
    expect(upstream.models).toHaveLength(1);
    expect(harness.responsesRequests()).toHaveLength(3);
  });

  it("relays the backend's own refusal of a model nobody serves, without asking for the list again", async () => {
    const upstream = modelsFailingWith(500);
    const provider = harness.track(
      providerFor(harness.emulator, 'chatgpt', 'http', { fetch: upstream.fetch, home: false }),
    );
    for (let turn = 0; turn < 3; turn += 1) {
      const error = await expectProviderError(
        provider.complete({ model: 'gpt-404', messages: hi }),
        'unsupported-model',
      );
      expect(error.status).toBe(400);
      expect(error.upstreamError?.param).toBe('model');
      expect(error.message).toContain("'gpt-404'");
    }
    expect(upstream.models).toHaveLength(1);
    expect(harness.responsesRequests()).toHaveLength(3);
  });

  it('still refuses a known model with a suffix that is no effort, without sending it', async () => {
    const upstream = modelsFailingWith(500);
    const provider = harness.track(
      providerFor(harness.emulator, 'chatgpt', 'http', { fetch: upstream.fetch, home: false }),
    );
    await expectProviderError(
      provider.complete({ model: 'gpt-5.4:banana', messages: hi }),
      'invalid-request',
    );
    expect(harness.responsesRequests()).toHaveLength(0);
  });

  it('still refuses an unknown model when the live list was read and lacks it', async () => {
    const provider = harness.track(providerFor(harness.emulator, 'chatgpt', 'http', { home: false }));
    await expectProviderError(provider.complete({ model: 'gpt-404', messages: hi }), 'unsupported-model');
    expect(harness.responsesRequests()).toHaveLength(0);
  });

  it('refuses a 1 MB model name with invalid-request, without asking for the list', async () => {
    const upstream = modelsFailingWith(500);
    const provider = harness.track(
      providerFor(harness.emulator, 'chatgpt', 'http', { fetch: upstream.fetch, home: false }),
    );
    const error = await expectProviderError(
      provider.complete({ model: 'm'.repeat(1_000_000), messages: hi }),
      'invalid-request',
    );
    expect(error.message.length).toBeLessThan(400);
    expect(upstream.models).toHaveLength(0);
  });
});
