import { DEFAULT_MODEL_CATALOGUE } from '@codetether/emulator';
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';

const TIMEOUT = { timeout: 30_000 };
const headers = { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' };

function chat(baseUrl: string, model: string): Promise<Response> {
  return fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model, messages: [{ role: 'user', content: '[scenario:text] hi' }] }),
  });
}

describe('gateway models through the profile router (as codetether-server runs)', () => {
  it('answers hidden models by id and lists them in the Codex CLI catalogue', TIMEOUT, async () => {
    const harness = await startGatewayHarness({ routeProfiles: true });
    try {
      expect((await fetch(`${harness.baseUrl}/models/codex-mini-latest`, { headers })).status).toBe(200);
      const response = await fetch(`${harness.baseUrl}/models?client_version=0.171.0`, { headers });
      const body = (await response.json()) as { models: { slug: string; visibility: string }[] };
      expect(body.models.find((model) => model.slug === 'codex-mini-latest')?.visibility).toBe('hide');
      expect((await fetch(`${harness.baseUrl}/models/gpt-404`, { headers })).status).toBe(404);
    } finally {
      await harness.close();
    }
  });
});

describe('gateway models from the live list', () => {
  it('serves a model added to the backend at run time, and hidden models by id', TIMEOUT, async () => {
    const harness = await startGatewayHarness();
    try {
      const before = (await (await fetch(`${harness.baseUrl}/models`, { headers })).json()) as {
        data: { id: string }[];
      };
      expect(before.data.map((model) => model.id)).not.toContain('o3');
      expect(before.data.map((model) => model.id)).toContain('gpt-5.1-codex-max');
      expect((await fetch(`${harness.baseUrl}/models/codex-mini-latest`, { headers })).status).toBe(200);
      harness.emulator.setOptions({
        models: [{ slug: 'gpt-6', display_name: 'GPT-6' }, { slug: 'gpt-5.4' }],
      });
      expect((await chat(harness.baseUrl, 'gpt-6')).status).toBe(200);
      expect((await fetch(`${harness.baseUrl}/models/gpt-6`, { headers })).status).toBe(200);
      const metrics = await (await fetch(`${harness.gateway.url}/metrics`, { headers })).text();
      expect(metrics).toMatch(/codetether_upstream_usage_used_percent\{window="primary"\} \d/);
    } finally {
      await harness.close();
    }
  });

  it('answers a plan-gated model with 404 model_not_found listing the alternatives', TIMEOUT, async () => {
    const harness = await startGatewayHarness({ emulator: { account: { planType: 'free' } } });
    try {
      for (const response of [
        await chat(harness.baseUrl, 'gpt-5.4'),
        await fetch(`${harness.baseUrl}/models/gpt-5.4`, { headers }),
      ]) {
        expect(response.status).toBe(404);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('model_not_found');
        expect(body.error.message).toContain(
          'free plan. Supported models: gpt-5.4-mini, gpt-5.1-codex-mini, gpt-5-mini.',
        );
      }
    } finally {
      await harness.close();
    }
  });

  it('lists a model added to the backend at run time once the list cache expired, without a restart', {
    timeout: 30_000,
  }, async () => {
    const harness = await startGatewayHarness({ env: { CODETETHER_MODELS_CACHE_TTL_SECONDS: '0.2' } });
    try {
      const client = new OpenAI({ baseURL: harness.baseUrl, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
      const listedIds = async () => (await client.models.list()).data.map((model) => model.id);
      expect(await listedIds()).not.toContain('gpt-6');
      harness.emulator.setOptions({
        models: [
          ...DEFAULT_MODEL_CATALOGUE,
          { slug: 'gpt-6', display_name: 'GPT-6', context_window: 500_000 },
        ],
      });
      // After the TTL the cached list is still answered once while it revalidates in the background.
      await vi.waitFor(async () => expect(await listedIds()).toContain('gpt-6'), {
        timeout: 5_000,
        interval: 100,
      });
      const catalogue = (await (
        await fetch(`${harness.baseUrl}/models?client_version=0.171.0`, { headers })
      ).json()) as { models: { slug: string; context_window: number }[] };
      expect(catalogue.models.find((model) => model.slug === 'gpt-6')?.context_window).toBe(500_000);
      expect((await chat(harness.baseUrl, 'gpt-6')).status).toBe(200);
    } finally {
      await harness.close();
    }
  });

  it(
    'answers the Codex CLI catalogue to a request with client_version, hidden models marked',
    TIMEOUT,
    async () => {
      const harness = await startGatewayHarness();
      try {
        const response = await fetch(`${harness.baseUrl}/models?client_version=0.171.0`, { headers });
        expect(response.status).toBe(200);
        const body = (await response.json()) as { models: Record<string, unknown>[]; data?: unknown };
        expect(body.data).toBeUndefined();
        expect(body.models.find((model) => model.slug === 'gpt-5.4')).toMatchObject({
          display_name: 'GPT-5.4',
          context_window: 272_000,
          default_reasoning_level: 'medium',
          supported_reasoning_levels: expect.arrayContaining([expect.objectContaining({ effort: 'xhigh' })]),
          visibility: 'list',
          support_verbosity: true,
          default_verbosity: 'medium',
          service_tiers: expect.arrayContaining([expect.objectContaining({ id: 'priority' })]),
          truncation_policy: { mode: 'bytes', limit: 10_000 },
          shell_type: 'shell_command',
        });
        expect(body.models.find((model) => model.slug === 'codex-mini-latest')?.visibility).toBe('hide');
        const openAiList = await new OpenAI({
          baseURL: harness.baseUrl,
          apiKey: TEST_SERVER_KEY,
          maxRetries: 0,
        }).models.list();
        expect(openAiList.data.map((model) => model.id)).toContain('gpt-5.4');
        expect(openAiList.data.map((model) => model.id)).not.toContain('codex-mini-latest');
      } finally {
        await harness.close();
      }
    },
  );
});
