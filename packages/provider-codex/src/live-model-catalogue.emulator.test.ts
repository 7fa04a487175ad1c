import { readFile, writeFile } from 'node:fs/promises';
import { createMemoryCredentialStore, type StoredChatGptCredentials } from '@codetether/oauth-pkce';
import { describe, expect, it } from 'vitest';
import {
  collect,
  emulatorCredentials,
  emulatorEndpoints,
  expectProviderError,
  temporaryHome,
  useEmulatorHarness,
} from './__fixtures__/emulator-harness.js';
import { modelCachePath } from './model-list-cache.js';
import { type CodexProviderOptions, createCodexProvider } from './provider.js';

const harness = useEmulatorHarness();

/** A ChatGPT provider with its own cache folder and a clock the test moves. */
async function chatgptProvider(
  options: Partial<CodexProviderOptions> & { credentials?: StoredChatGptCredentials } = {},
) {
  const { home, cleanup } = await temporaryHome();
  harness.onCleanup(cleanup);
  const clock = { now: 1_000_000 };
  const { credentials, ...rest } = options;
  const provider = harness.track(
    createCodexProvider({
      ...emulatorEndpoints(harness.emulator),
      auth: {
        type: 'chatgpt',
        store: createMemoryCredentialStore(credentials ?? emulatorCredentials(harness.emulator)),
      },
      transport: 'http',
      home,
      now: () => clock.now,
      ...rest,
    }),
  );
  return { provider, home, clock };
}

const modelRequests = () => harness.emulator.requests.filter((request) => request.path.endsWith('/models'));
const NEW_MODEL = { slug: 'gpt-6', display_name: 'GPT-6', context_window: 1_000_000, priority: 0 };

describe('live model list', () => {
  it('reads the list with client_version, the ChatGPT headers and the metadata', async () => {
    const { provider } = await chatgptProvider();
    const models = await provider.listModels();
    expect(models.map((model) => model.id)).toContain('gpt-5.2-codex');
    expect(models.map((model) => model.id)).not.toContain('codex-mini-latest');
    expect(models.find((model) => model.id === 'gpt-5.4')).toMatchObject({
      serviceTiers: ['priority', 'flex'],
      supportedReasoningEfforts: ['low', 'medium', 'high', 'xhigh'],
    });
    const [request] = modelRequests();
    expect(request?.query.client_version).toBe('0.171.0');
    expect(request?.headers['chatgpt-account-id']).toBeTruthy();
    expect(request?.headers.originator).toBe('codex_cli_rs');
    expect((await provider.readModelList()).source).toBe('live');
    await provider.complete({ model: 'codex-mini-latest', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('makes a model added at run time usable at once, and lists it after the TTL or with refresh', async () => {
    const { provider, clock } = await chatgptProvider();
    expect((await provider.listModels()).map((model) => model.id)).not.toContain('gpt-6');
    harness.emulator.setOptions({ models: [NEW_MODEL, { slug: 'gpt-5.4' }] });
    const answer = await provider.complete({ model: 'gpt-6', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.text).not.toBe('');
    harness.emulator.setOptions({ models: [NEW_MODEL, { slug: 'gpt-5.4' }, { slug: 'gpt-7' }] });
    expect((await provider.listModels()).map((model) => model.id)).toEqual(['gpt-6', 'gpt-5.4']);
    expect((await provider.listModels({ refresh: true })).map((model) => model.id)).toContain('gpt-7');
    harness.emulator.setOptions({ models: [{ slug: 'gpt-8' }] });
    clock.now += 6 * 60 * 1000;
    // Past the TTL the stale list is served while it revalidates in the background.
    expect((await provider.listModels()).map((model) => model.id)).toContain('gpt-7');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await provider.listModels()).map((model) => model.id)).toEqual(['gpt-8']);
  });

  it('revalidates with If-None-Match and keeps the list on 304', async () => {
    const { provider, clock } = await chatgptProvider();
    await provider.listModels();
    const etag = modelRequests()[0]?.headers;
    clock.now += 6 * 60 * 1000;
    const list = await provider.readModelList({ refresh: true });
    expect(modelRequests()).toHaveLength(2);
    expect(modelRequests()[1]?.headers['if-none-match']).toBeTruthy();
    expect(etag?.['if-none-match']).toBeUndefined();
    expect(list).toMatchObject({ source: 'live', fetchedAt: clock.now });
    expect(list.models.map((model) => model.id)).toContain('gpt-5.4');
  });

  it('gives a plan-gated model an actionable error naming the plan and its models', async () => {
    const tokens = harness.emulator.issueTokens({ planType: 'free' });
    const credentials: StoredChatGptCredentials = {
      ...emulatorCredentials(harness.emulator),
      tokens: {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        idToken: tokens.idToken,
        expiresAt: tokens.expiresAt,
      },
    };
    const { provider } = await chatgptProvider({ credentials });
    const error = await expectProviderError(
      collect(provider.completeStream({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi' }] })),
      'unsupported-model',
    );
    expect(error.message).toContain(
      "Model 'gpt-5.4' is not supported when using Codex with a ChatGPT free plan. Supported models: gpt-5.4-mini, gpt-5.1-codex-mini, gpt-5-mini.",
    );
    expect(harness.responsesRequests()).toHaveLength(0);
    await expectProviderError(provider.validateModel('gpt-5.4-mini:xhigh'), 'invalid-request');
  });

  it('starts offline from the cache, then from the bundled list; a corrupt cache is replaced', async () => {
    const { provider, home } = await chatgptProvider();
    harness.emulator.setOptions({ models: [NEW_MODEL] });
    await provider.listModels();
    const path = modelCachePath(home, 'chatgpt');
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ models: [{ id: 'gpt-6' }] });
    const credentials = emulatorCredentials(harness.emulator);
    await harness.emulator.close();

    const offline = harness.track(
      createCodexProvider({
        ...emulatorEndpoints(harness.emulator),
        auth: { type: 'chatgpt', store: createMemoryCredentialStore(credentials) },
        home,
      }),
    );
    const cached = await offline.readModelList();
    expect(cached.source).toBe('cache');
    expect(cached.models.map((model) => model.id)).toEqual(['gpt-6']);

    await writeFile(path, '{ not json');
    const fresh = harness.track(
      createCodexProvider({
        ...emulatorEndpoints(harness.emulator),
        auth: { type: 'chatgpt', store: createMemoryCredentialStore(credentials) },
        home,
      }),
    );
    const bundled = await fresh.readModelList();
    expect(bundled.source).toBe('bundled');
    expect(bundled.models.map((model) => model.id)).toContain('gpt-5.4');

    await harness.restartEmulator({});
    const back = harness.track(
      createCodexProvider({
        ...emulatorEndpoints(harness.emulator),
        auth: { type: 'chatgpt', store: createMemoryCredentialStore(emulatorCredentials(harness.emulator)) },
        home,
      }),
    );
    expect((await back.readModelList()).source).toBe('live');
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ models: expect.any(Array) });
  });

  it('never fails on a nonsense /models answer', async () => {
    harness.emulator.setOptions({ models: [{ slug: '' }, { slug: 'ok-model', priority: Number.NaN }] });
    const { provider } = await chatgptProvider();
    expect((await provider.listModels()).map((model) => model.id)).toEqual(['ok-model']);
  });

  it('drops text.verbosity from a passthrough body where the model does not support it', async () => {
    const warnings: string[] = [];
    const { provider } = await chatgptProvider({ onWarning: (message) => warnings.push(message) });
    const response = await provider.createResponseStream({
      model: 'gpt-5.1-codex',
      input: 'hi',
      text: { verbosity: 'low' },
    });
    for await (const _event of response.events) {
      // drain
    }
    expect(harness.responsesRequests().at(-1)?.body).not.toHaveProperty('text');
    expect(warnings.join(' ')).toContain('text.verbosity');
  });
});

describe('readUsage', () => {
  it('reads the windows from GET /usage without a model request', async () => {
    harness.emulator.setOptions({ rateLimit: { primaryUsedPercent: 40, creditsBalance: 3 } });
    const { provider } = await chatgptProvider();
    expect(await provider.readUsage()).toMatchObject({
      planType: 'plus',
      primary: { usedPercent: 40, windowMinutes: 300 },
      secondary: { windowMinutes: 10_080 },
      creditsBalance: 3,
    });
    expect(harness.responsesRequests()).toHaveLength(0);
    expect(provider.lastRateLimits?.primary?.usedPercent).toBe(40);
  });

  it('never follows a redirect with the credentials: no windows', async () => {
    const elsewhere: string[] = [];
    // `/usage` answers a 307 to the emulator's own `/usage`: following it would read windows.
    const redirecting: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.endsWith('/usage') || url.includes('followed=1')) {
        if (url.includes('followed=1')) elsewhere.push(url);
        return fetch(input, init);
      }
      const target = `${url}?followed=1`;
      if (init?.redirect === 'manual')
        return new Response(null, { status: 307, headers: { location: target } });
      elsewhere.push(target);
      return fetch(target, init);
    };
    const { provider } = await chatgptProvider({ fetch: redirecting });
    expect(await provider.readUsage()).toBeUndefined();
    expect(elsewhere).toEqual([]);
  });
});
